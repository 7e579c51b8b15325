import Dexie from 'dexie'
import { describe, expect, it } from 'vitest'
import {
  ProjectionRunner,
  defineProjection,
  type EventStore,
  type ProjectionDefinition,
  type ProjectionStatus,
} from '../../../src/eventstore'
import { Counted, Noted, notes } from '../../support/events'
import { failure } from '../../support/failure'
import { openTestStore, uniqueName } from '../../support/stores'

const readModels = { version: 1, stores: { applied: 'eventId', totals: 'id', other: 'id' } }

/** Records every Noted event it applies (with how many times), and a running total of Counted. */
function counting(options: { failOn?: (eventId: string, attempt: number) => boolean; name?: string } = {}): ProjectionDefinition {
  const attempts = new Map<string, number>()
  return defineProjection({
    name: options.name ?? 'counting',
    events: [Noted, Counted],
    tables: ['applied', 'totals'],
    async apply(event, { table }) {
      const tries = (attempts.get(event.eventId) ?? 0) + 1
      attempts.set(event.eventId, tries)
      const row = await table('applied').get(event.eventId)
      await table('applied').put({ eventId: event.eventId, times: (row?.times ?? 0) + 1, position: event.globalPosition })
      if (Counted.is(event)) {
        const total = (await table('totals').get('n'))?.value ?? 0
        await table('totals').put({ id: 'n', value: total + event.data.n })
      }
      // Thrown after the writes: a crash between the handler and its commit.
      if (options.failOn?.(event.eventId, tries)) throw new Error(`cannot apply ${event.eventId}`)
    },
  })
}

const instant = { sleep: async () => undefined }

async function applied(store: EventStore) {
  return (await store.db.table('applied').toArray()).sort((a, b) => a.position - b.position)
}

describe('ProjectionRunner', () => {
  it('catches up from nothing: every handled event once, in global order, checkpoint at the end', async () => {
    const store = await openTestStore({ readModels })
    await store.append(notes(5), { stream: 'a' })
    await store.append([Counted({ n: 2 }), Counted({ n: 3 })])
    const runner = new ProjectionRunner(store, [counting()], { batchSize: 3, ...instant })
    await runner.start()
    const rows = await applied(store)
    expect(rows.map((r) => r.times)).toEqual([1, 1, 1, 1, 1, 1, 1])
    expect(rows.map((r) => r.position)).toEqual([...rows.map((r) => r.position)].sort((x, y) => x - y))
    expect(await store.db.table('totals').get('n')).toEqual({ id: 'n', value: 5 })
    const [status] = runner.status()
    expect(status).toMatchObject({ name: 'counting', state: 'idle', lag: 0, checkpoint: (await store.read.last())!.globalPosition })
  })

  it('moves the checkpoint over events it does not handle', async () => {
    const store = await openTestStore({ readModels })
    await store.append([{ eventId: 'x', type: 'Unrelated', data: {}, metadata: {} }])
    const runner = new ProjectionRunner(store, [counting()], instant)
    await runner.start()
    expect(runner.status()[0]?.checkpoint).toBe(await store.globalPosition('x'))
    expect(await applied(store)).toEqual([])
  })

  it('resumes from its checkpoint after a restart, applying only the new events', async () => {
    const name = uniqueName()
    const first = await openTestStore({ name, readModels })
    await first.append(notes(3))
    await new ProjectionRunner(first, [counting()], instant).start()
    first.close()
    const store = await openTestStore({ name, readModels })
    await store.append(notes(2, 'later-'))
    await new ProjectionRunner(store, [counting()], instant).start()
    expect((await applied(store)).map((r) => [r.eventId, r.times])).toEqual([
      ['e1', 1], ['e2', 1], ['e3', 1], ['later-1', 1], ['later-2', 1],
    ])
  })

  it('applies each event exactly once across a crash between a handler and its commit', async () => {
    const store = await openTestStore({ readModels })
    await store.append(notes(6))
    // The first run "crashes" on e4 after writing it; its transaction never commits.
    const crashing = new ProjectionRunner(store, [counting({ failOn: (id) => id === 'e4' })], { ...instant, maxAttempts: 1 })
    await crashing.start()
    expect(crashing.status()[0]).toMatchObject({ state: 'stopped', failure: { eventId: 'e4' } })
    expect((await applied(store)).map((r) => r.eventId)).toEqual(['e1', 'e2', 'e3'])
    // The next start (the code fixed) applies e4 once, then the rest.
    const restarted = new ProjectionRunner(store, [counting()], instant)
    await restarted.start()
    await restarted.retry('counting')
    expect((await applied(store)).map((r) => [r.eventId, r.times])).toEqual([
      ['e1', 1], ['e2', 1], ['e3', 1], ['e4', 1], ['e5', 1], ['e6', 1],
    ])
  })

  it('never applies events of a transaction that aborted', async () => {
    const store = await openTestStore({ readModels })
    await failure(() =>
      store.transaction(async (tx) => {
        await tx.append(notes(2, 'aborted-'))
        throw new Error('abort')
      }),
    )
    await store.append(notes(1))
    const runner = new ProjectionRunner(store, [counting()], instant)
    await runner.start()
    expect((await applied(store)).map((r) => r.eventId)).toEqual(['e1'])
  })

  it('retries a failing event with back-off and goes on once it succeeds', async () => {
    const store = await openTestStore({ readModels })
    await store.append(notes(3))
    const waits: number[] = []
    const seen: ProjectionStatus['state'][] = []
    const runner = new ProjectionRunner(store, [counting({ failOn: (id, tries) => id === 'e2' && tries <= 3 })], {
      sleep: async (ms) => void waits.push(ms),
      onStatus: (statuses) => void seen.push(statuses[0]!.state),
    })
    await runner.start()
    expect(waits).toEqual([100, 200])
    expect(seen).toContain('retrying')
    expect(runner.status()[0]).toMatchObject({ state: 'idle', attempts: 0 })
    expect((await applied(store)).map((r) => [r.eventId, r.times])).toEqual([['e1', 1], ['e2', 1], ['e3', 1]])
  })

  it('stops at an event that keeps failing, keeps the error and event id, and does not block the others', async () => {
    const store = await openTestStore({ readModels: { version: 1, stores: { applied: 'eventId', totals: 'id', other: 'id' } } })
    await store.append(notes(4))
    const other = defineProjection({
      name: 'other',
      events: [Noted],
      tables: ['other'],
      apply: async (event, { table }) => void (await table('other').put({ id: event.eventId })),
    })
    const runner = new ProjectionRunner(store, [counting({ failOn: (id) => id === 'e3' }), other], { ...instant, maxAttempts: 3 })
    await runner.start()
    const [stopped, fine] = runner.status()
    expect(stopped).toMatchObject({
      state: 'stopped',
      attempts: 3,
      checkpoint: await store.globalPosition('e2'),
      failure: { eventId: 'e3', position: await store.globalPosition('e3'), error: { name: 'Error', message: 'cannot apply e3' } },
    })
    expect(fine).toMatchObject({ state: 'idle', lag: 0 })
    expect(await store.db.table('other').count()).toBe(4)
    expect((await applied(store)).map((r) => r.eventId)).toEqual(['e1', 'e2'])
    // Kept in the checkpoint row, so another runner (another tab's devtools) sees it too.
    const elsewhere = new ProjectionRunner(store, [counting({ failOn: (id) => id === 'e3' })], instant)
    await elsewhere.start()
    expect(elsewhere.status()[0]).toMatchObject({ state: 'stopped', failure: { eventId: 'e3' } })
    // New events do not move a stopped projection past the failing one.
    await store.append(notes(1, 'new-'))
    await runner.notify()
    expect((await applied(store)).map((r) => r.eventId)).toEqual(['e1', 'e2'])
  })

  it('resumes a stopped projection from its checkpoint with retry, once the cause is gone', async () => {
    const store = await openTestStore({ readModels })
    await store.append(notes(3))
    let broken = true
    const runner = new ProjectionRunner(store, [counting({ failOn: (id) => broken && id === 'e2' })], { ...instant, maxAttempts: 2 })
    await runner.start()
    expect(runner.status()[0]?.state).toBe('stopped')
    broken = false
    await runner.retry('counting')
    expect(runner.status()[0]).toMatchObject({ state: 'idle', attempts: 0 })
    expect(runner.status()[0]?.failure).toBeUndefined()
    expect((await applied(store)).map((r) => [r.eventId, r.times])).toEqual([['e1', 1], ['e2', 1], ['e3', 1]])
  })

  it('rebuilds: clears its tables and checkpoint together, replays the log in batches and reports progress', async () => {
    const store = await openTestStore({ readModels })
    await store.append(notes(7))
    const progress: Array<{ done: number; total: number }> = []
    const runner = new ProjectionRunner(store, [counting()], {
      batchSize: 3,
      ...instant,
      onStatus: ([s]) => void (s?.progress && progress.push({ ...s.progress })),
    })
    await runner.start()
    await store.db.table('applied').put({ eventId: 'stale', times: 9, position: 0 })
    await runner.rebuild('counting')
    expect((await applied(store)).map((r) => [r.eventId, r.times])).toEqual(
      ['e1', 'e2', 'e3', 'e4', 'e5', 'e6', 'e7'].map((id) => [id, 1]),
    )
    expect(progress.at(0)).toEqual({ done: 0, total: 7 })
    expect(progress.at(-1)).toEqual({ done: 7, total: 7 })
    expect([...new Set(progress.map((p) => p.done))]).toEqual([0, 3, 6, 7])
    expect(runner.status()[0]).toMatchObject({ state: 'idle' })
    expect(runner.status()[0]?.progress).toBeUndefined()
  })

  it('rebuilds on start when the projection’s version changed, reporting progress', async () => {
    const store = await openTestStore({ readModels })
    await store.append(notes(5))
    await new ProjectionRunner(store, [counting()], instant).start()
    await store.db.table('applied').put({ eventId: 'made-the-old-way', times: 1, position: 0 })
    const progress: number[] = []
    const v2 = { ...counting(), version: 2 }
    const runner = new ProjectionRunner(store, [v2], { ...instant, batchSize: 2, onStatus: ([s]) => void (s?.progress && progress.push(s.progress.done)) })
    await runner.start()
    expect((await applied(store)).map((r) => r.eventId)).toEqual(['e1', 'e2', 'e3', 'e4', 'e5'])
    expect(progress.at(-1)).toBe(5)
    // Once rebuilt at version 2, the next start does not rebuild again.
    const again: number[] = []
    await new ProjectionRunner(store, [v2], { ...instant, onStatus: ([s]) => void (s?.progress && again.push(s.progress.done)) }).start()
    expect(again).toEqual([])
  })

  it('hands a batch’s handled events to applyBatch at once, in order, and finds the one at fault event by event', async () => {
    const store = await openTestStore({ readModels })
    await store.append([...notes(5), { eventId: 'other', type: 'Unrelated', data: {}, metadata: {} }, ...notes(2, 'x')])
    const calls: string[][] = []
    const batched = defineProjection({
      name: 'batched',
      events: [Noted],
      tables: ['applied'],
      applyBatch: async (events, { table }) => {
        calls.push(events.map((e) => e.eventId))
        if (events.some((e) => e.eventId === 'x1')) throw new Error('x1 is bad')
        await table('applied').bulkPut(events.map((e) => ({ eventId: e.eventId, times: 1, position: e.globalPosition })))
      },
    })
    const runner = new ProjectionRunner(store, [batched], { batchSize: 4, maxAttempts: 2, ...instant })
    await runner.start()
    expect(calls[0]).toEqual(['e1', 'e2', 'e3', 'e4'])
    // The second batch (e5, other, x1, x2) fails, then goes event by event: e5 kept, x1 stops it.
    expect(calls.slice(1)).toEqual([['e5', 'x1', 'x2'], ['e5'], ['x1'], ['x1']])
    expect(runner.status()[0]).toMatchObject({ state: 'stopped', failure: { eventId: 'x1' } })
    expect((await applied(store)).map((r) => r.eventId)).toEqual(['e1', 'e2', 'e3', 'e4', 'e5'])
  })

  it('refuses a projection with neither apply nor applyBatch', async () => {
    const store = await openTestStore({ readModels })
    expect(() => new ProjectionRunner(store, [defineProjection({ name: 'empty', events: [Noted], tables: [] })])).toThrow('needs apply or applyBatch')
  })

  it('applies exactly once even when two runners on two connections race', async () => {
    const name = uniqueName()
    const a = await openTestStore({ name, readModels })
    const b = await openTestStore({ name, readModels })
    await a.append(notes(40))
    await Promise.all([
      new ProjectionRunner(a, [counting()], { batchSize: 5, ...instant }).start(),
      new ProjectionRunner(b, [counting()], { batchSize: 7, ...instant }).start(),
    ])
    const rows = await applied(a)
    expect(rows).toHaveLength(40)
    expect(rows.every((r) => r.times === 1)).toBe(true)
  })

  // IndexedDB commits a transaction as soon as no request of it is pending: an apply that awaits
  // anything else lets it commit half done. Awaiting the transaction's own 'complete' event is the
  // sure way to outlast it, in Chromium and in fake-indexeddb alike.
  const untilCommitted = () => {
    const idbtrans = (Dexie.currentTransaction as unknown as { idbtrans: IDBTransaction }).idbtrans
    return new Promise((resolve) => idbtrans.addEventListener('complete', resolve))
  }

  /** Adds each Counted's n to totals.n, awaiting `foreign` before (or after) its write. */
  function impatient(foreign: () => Promise<unknown>, when: 'before' | 'after' = 'after') {
    const calls: string[] = []
    const projection = defineProjection({
      name: 'impatient',
      events: [Counted],
      tables: ['totals'],
      async apply(event, { table }) {
        calls.push(event.eventId)
        if (when === 'before') await foreign()
        const total = (await table('totals').get('n'))?.value ?? 0
        await table('totals').put({ id: 'n', value: total + (event.data as { n: number }).n })
        if (when === 'after') await foreign()
      },
    })
    return { projection, calls }
  }

  it.each(['after', 'before'] as const)(
    'applies an event at most once when apply awaits other work %s its write, and stops there with ProjectionTransactionExpiredError',
    async (when) => {
      const store = await openTestStore({ readModels })
      await store.append([Counted({ n: 1 }, { eventId: 'c1' }), Counted({ n: 10 }, { eventId: 'c2' })])
      const { projection, calls } = impatient(untilCommitted, when)
      const runner = new ProjectionRunner(store, [projection], { ...instant, maxAttempts: 3 })
      await runner.start()
      // The checkpoint was written before apply, so it committed with whatever apply wrote by then.
      expect(await store.db.table('totals').get('n')).toEqual(when === 'after' ? { id: 'n', value: 1 } : undefined)
      expect(calls).toEqual(['c1'])
      const c1 = await store.globalPosition('c1')
      expect(runner.status()[0]).toMatchObject({
        state: 'stopped',
        checkpoint: c1,
        failure: { eventId: 'c1', position: c1, error: { name: 'ProjectionTransactionExpiredError' } },
      })
      expect(runner.status()[0]?.failure?.error.message).toContain('apply may await only the read model’s IndexedDB work')
      // A notify, a restart or another tab's runner: the same stop, and c1 is never applied again.
      await runner.notify()
      const elsewhere = new ProjectionRunner(store, [projection], instant)
      await elsewhere.start()
      expect(elsewhere.status()[0]).toMatchObject({ state: 'stopped', failure: { eventId: 'c1' } })
      expect(calls).toEqual(['c1'])
      // Once apply is fixed, retry goes on after c1.
      const fixed = impatient(async () => undefined)
      const resumed = new ProjectionRunner(store, [fixed.projection], instant)
      await resumed.start()
      await resumed.retry('impatient')
      expect(fixed.calls).toEqual(['c2'])
      expect(resumed.status()[0]).toMatchObject({ state: 'idle', checkpoint: await store.globalPosition('c2') })
    },
  )

  it('applies a batch at most once when applyBatch awaits other work, and stops at its first event', async () => {
    const store = await openTestStore({ readModels })
    await store.append([...notes(3), { eventId: 'other', type: 'Unrelated', data: {}, metadata: {} }])
    let calls = 0
    const batched = defineProjection({
      name: 'batched',
      events: [Noted],
      tables: ['applied'],
      applyBatch: async (events, { table }) => {
        calls++
        await table('applied').bulkPut(events.map((e) => ({ eventId: e.eventId, times: 1, position: e.globalPosition })))
        await untilCommitted()
      },
    })
    const runner = new ProjectionRunner(store, [batched], { ...instant, maxAttempts: 3 })
    await runner.start()
    expect(calls).toBe(1)
    expect((await applied(store)).map((r) => [r.eventId, r.times])).toEqual([['e1', 1], ['e2', 1], ['e3', 1]])
    expect(runner.status()[0]).toMatchObject({
      state: 'stopped',
      checkpoint: await store.globalPosition('other'),
      failure: { eventId: 'e1', error: { name: 'ProjectionTransactionExpiredError' } },
    })
  })

  // The same with what apply really awaits. Whether the transaction outlives it depends on the
  // engine (a browser ends it at the end of the task, and Chromium may finish a small digest within
  // it; fake-indexeddb keeps it open until its next setImmediate): either it ended, and the
  // projection stopped after applying c1 once, or it did not, and each event was applied once.
  const notIndexedDB: Record<string, () => Promise<unknown>> = {
    'a timer': () => new Promise((resolve) => setTimeout(resolve, 0)),
    'crypto.subtle.digest': () => crypto.subtle.digest('SHA-256', new TextEncoder().encode('x')),
    'blob.text()': () => new Blob(['x']).text(),
  }

  it.each(Object.keys(notIndexedDB))('never applies an event twice when apply awaits %s', async (what) => {
    const store = await openTestStore({ readModels })
    await store.append([Counted({ n: 1 }, { eventId: 'c1' }), Counted({ n: 10 }, { eventId: 'c2' })])
    const { projection, calls } = impatient(notIndexedDB[what]!)
    const runner = new ProjectionRunner(store, [projection], { ...instant, maxAttempts: 3 })
    await runner.start()
    const [status] = runner.status()
    const total = (await store.db.table('totals').get('n'))?.value
    if (status?.state === 'stopped') {
      // Stopped at the first event whose apply outlived its transaction (c1, or c2 when c1's was
      // quick enough): that event's write kept, nothing applied twice, nothing after it applied.
      const at = status.failure?.eventId === 'c2' ? 'c2' : 'c1'
      expect(status).toMatchObject({ state: 'stopped', checkpoint: await store.globalPosition(at), failure: { eventId: at, error: { name: 'ProjectionTransactionExpiredError' } } })
      expect(total).toBe(at === 'c1' ? 1 : 11)
      expect(calls).toEqual(at === 'c1' ? ['c1'] : ['c1', 'c2'])
    } else {
      expect(status).toMatchObject({ state: 'idle', checkpoint: await store.globalPosition('c2') })
      expect(total).toBe(11)
      expect(calls).toEqual(['c1', 'c2'])
    }
  })

  it('refuses writes to a table the projection does not own', async () => {
    const store = await openTestStore({ readModels })
    await store.append(notes(1))
    const greedy = defineProjection({
      name: 'greedy',
      events: [Noted],
      tables: ['applied'],
      apply: async (_e, { table }) => void (await table('other').put({ id: 1 })),
    })
    const runner = new ProjectionRunner(store, [greedy], { ...instant, maxAttempts: 1 })
    await runner.start()
    expect(runner.status()[0]?.failure?.error.message).toContain('does not own the table "other"')
    expect(await store.db.table('other').count()).toBe(0)
  })

  it('follows the store’s commits once started, with no notify: publish, append and store.transaction', async () => {
    const store = await openTestStore({ readModels })
    const waiting = new Map<number, () => void>()
    const runner = new ProjectionRunner(store, [counting()], {
      ...instant,
      onStatus: ([s]) => {
        for (const [position, wake] of waiting) {
          if (!s || s.state !== 'idle' || s.checkpoint < position) continue
          waiting.delete(position)
          wake()
        }
      },
    })
    const reached = (position: number) => new Promise<void>((resolve) => waiting.set(position, resolve))
    await runner.start()
    const [published] = await store.publish(notes(1, 'p'))
    await reached(published!.globalPosition)
    const [appended] = await store.append(notes(1, 'a'))
    await reached(appended!.globalPosition)
    const inTransaction = await store.transaction(async (tx) => (await tx.append(notes(1, 't')))[0]!)
    await reached(inTransaction.globalPosition)
    expect((await applied(store)).map((r) => [r.eventId, r.times])).toEqual([['p1', 1], ['a1', 1], ['t1', 1]])
  })

  it('stops listening to the store’s commits when it stops', async () => {
    const store = await openTestStore({ readModels })
    // It follows every change to the log (onChange), this store's commits among them.
    const subscribe = store.onChange.bind(store)
    const listening = new Set<unknown>()
    store.onChange = (listener) => {
      const off = subscribe(listener)
      listening.add(listener)
      return () => {
        listening.delete(listener)
        return off()
      }
    }
    const runner = new ProjectionRunner(store, [counting()], instant)
    await runner.start()
    await runner.start()
    expect(listening.size).toBe(1)
    runner.stop()
    expect(listening.size).toBe(0)
  })

  it('never reports a projection as catching up with no lag', async () => {
    const store = await openTestStore({ readModels: { version: 1, stores: { applied: 'eventId', totals: 'id', other: 'id' } } })
    await store.append(notes(7))
    const other = defineProjection({
      name: 'other',
      events: [Noted],
      tables: ['other'],
      apply: async (event, { table }) => void (await table('other').put({ id: event.eventId })),
    })
    const emitted: ProjectionStatus[] = []
    const runner = new ProjectionRunner(store, [counting(), other], { batchSize: 3, ...instant, onStatus: (statuses) => void emitted.push(...statuses) })
    await runner.start()
    // More while it follows: a catch-up that starts from idle.
    await store.append(notes(4, 'more-'))
    await runner.notify()
    expect(emitted.some((s) => s.state === 'catching-up')).toBe(true)
    expect(emitted.filter((s) => s.state === 'catching-up' && s.lag === 0)).toEqual([])
    expect(runner.status().map((s) => [s.state, s.lag])).toEqual([['idle', 0], ['idle', 0]])
  })
})

describe('ProjectionRunner, when a replica takes events out of the log (truncateStream)', () => {
  it('goes on past a checkpoint whose event is gone, and a rebuild after it succeeds', async () => {
    const store = await openTestStore({ readModels })
    const runner = new ProjectionRunner(store, [counting()], instant)
    await store.append(notes(2, 'a'), { stream: 's' })
    await runner.start()
    expect(runner.status()[0]?.checkpoint).toBe(2)
    // The checkpoint's event leaves the log (a rebase), then others come after it.
    await store.truncateStream('s', 0)
    await store.append(notes(2, 'b'), { stream: 's', expectedVersion: 0 })
    await runner.notify()
    expect(runner.status()[0]).toMatchObject({ state: 'idle', checkpoint: 4, lag: 0 })
    await runner.rebuild('counting')
    expect((await applied(store)).map((row) => [row.eventId, row.times])).toEqual([
      ['a1', 1],
      ['b1', 1],
      ['b2', 1],
    ])
  })

  it('rebuilds even when the catch-up it waits for failed, and is idle with no lag once the log got shorter', async () => {
    const store = await openTestStore({ readModels })
    let failing = true
    const runner = new ProjectionRunner(store, [counting({ failOn: (eventId) => failing && eventId === 'a3' })], { ...instant, maxAttempts: 1 })
    await store.append(notes(2, 'a'), { stream: 's' })
    await runner.start()
    await store.append(notes(1, 'a').map((event) => ({ ...event, eventId: 'a3' })), { stream: 's' })
    await runner.notify()
    expect(runner.status()[0]?.state).toBe('stopped')
    // The failing event leaves the log: the end of the log is now before what the status last saw.
    failing = false
    await store.truncateStream('s', 1)
    await runner.rebuild('counting')
    expect(runner.status()[0]).toMatchObject({ state: 'idle', checkpoint: 2, head: 2, lag: 0 })
    expect((await applied(store)).map((row) => row.eventId)).toEqual(['a1', 'a2'])
  })
})
