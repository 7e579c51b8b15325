// One way to follow every change to the log, whatever wrote it: this store's commits, an import,
// another connection to the same database (another tab, the worker that syncs), a rewrite.
import { describe, expect, it } from 'vitest'
import {
  defineProjection,
  exportNdjsonText,
  importNdjson,
  ProjectionRunner,
  syncProjection,
  type EventStore,
  type LogChange,
  type RecordedEvent,
  type SyncProjection,
} from '../../../src/eventstore'
import { Counted, Noted, ids, notes } from '../../support/events'
import { openTestStore, uniqueName } from '../../support/stores'

/** Resolves once the projection's state satisfies `ok` (now, or at a later change). */
function until<S>(projection: SyncProjection<S>, ok: (state: S) => boolean): Promise<S> {
  if (ok(projection.getState())) return Promise.resolve(projection.getState())
  return new Promise((resolve) => {
    const off = projection.subscribe((state) => {
      if (!ok(state)) return
      off()
      resolve(state)
    })
  })
}

/** Every event id a follower is given, in the order it was given them, and a way to wait for a count. */
function collect(store: EventStore, options: Parameters<EventStore['follow']>[1] = {}) {
  const seen: string[] = []
  const waiting = new Set<{ count: number; wake: () => void }>()
  const follower = store.follow((events) => {
    seen.push(...ids(events))
    for (const w of [...waiting]) {
      if (seen.length < w.count) continue
      waiting.delete(w)
      w.wake()
    }
  }, options)
  const reached = (count: number) => (seen.length >= count ? Promise.resolve() : new Promise<void>((wake) => void waiting.add({ count, wake })))
  return { seen, follower, reached }
}

const counter = (store: EventStore) =>
  syncProjection(store, {
    events: [Counted],
    initial: { total: 0, ids: [] as string[] },
    evolve: (state, event) => ({ total: state.total + event.data.n, ids: [...state.ids, event.eventId] }),
  })

/** Two connections to one database: this tab, and another tab (or the worker that syncs). */
async function twoConnections(): Promise<[EventStore, EventStore]> {
  const name = uniqueName()
  return [await openTestStore({ name }), await openTestStore({ name })]
}

describe('following every change to the log', () => {
  it('hears a restored backup: an import shows in sync projections and followers when it resolves', async () => {
    const backup = await openTestStore()
    await backup.append([Counted({ n: 2 }, { eventId: 'c1' }), Counted({ n: 3 }, { eventId: 'c2' })], { stream: 'Tally$t' })
    const file = await exportNdjsonText(backup)
    const store = await openTestStore()
    const totals = counter(store)
    await totals.ready
    const followed = collect(store)
    await followed.follower.caughtUp
    await importNdjson(store, file)
    // In the import's own frame, as for a publish: nothing else to wait for.
    expect(totals.getState()).toEqual({ total: 5, ids: ['c1', 'c2'] })
    expect(followed.seen).toEqual(['c1', 'c2'])
  })

  it('hears another connection to the same database (another tab, a worker), once each, without being told', async () => {
    const [store, otherTab] = await twoConnections()
    const totals = counter(store)
    await totals.ready
    const changes: LogChange[] = []
    store.onChange((change) => void changes.push(change))
    const [written] = await otherTab.publish(Counted({ n: 4 }, { eventId: 'there' }))
    expect(await until(totals, (s) => s.total === 4)).toEqual({ total: 4, ids: ['there'] })
    expect(changes).toContainEqual({ origin: 'elsewhere', position: written!.globalPosition, events: [], rewritten: false })
    // And this connection's own commits, with their events.
    const [mine] = await store.append(Counted({ n: 1 }, { eventId: 'here' }))
    expect(totals.getState()).toEqual({ total: 5, ids: ['there', 'here'] })
    expect(changes.at(-1)).toEqual({ origin: 'here', position: mine!.globalPosition, events: [mine], rewritten: false })
  })

  it('hears what sync pulls in another connection: one transaction of appends and links', async () => {
    const [store, worker] = await twoConnections()
    const totals = counter(store)
    await totals.ready
    const followed = collect(store, { to: [Counted] })
    await followed.follower.caughtUp
    // As the sync engine writes a pulled page: appended to their streams, linked elsewhere, one transaction.
    await worker.transaction(async (tx) => {
      await tx.append([Counted({ n: 1 }, { eventId: 'p1' }), Noted({ text: 'x' }, { eventId: 'p2' })], { stream: 'Tally$remote', expectedVersion: -1 })
      await tx.append(Counted({ n: 2 }, { eventId: 'p3' }), { stream: 'Tally$other', expectedVersion: -1 })
      await tx.link(['p1', 'p3'], { stream: 'Picked', expectedVersion: 'none' })
    })
    await followed.reached(2)
    expect(followed.seen).toEqual(['p1', 'p3'])
    expect(await until(totals, (s) => s.total === 3)).toEqual({ total: 3, ids: ['p1', 'p3'] })
  })

  it('delivers every event once and in global order while this store and another commit at the same time', async () => {
    const [store, otherTab] = await twoConnections()
    await store.append(notes(3, 'old'))
    const followed = collect(store, { after: 0 })
    const writes = Array.from({ length: 15 }, (_, i) => [store.append(notes(2, `a${i}-`)), otherTab.append(notes(1, `b${i}-`))]).flat()
    await Promise.all(writes)
    const log = ids(await store.read.toArray())
    expect(log).toHaveLength(3 + 45)
    await followed.reached(log.length)
    expect(followed.seen).toEqual(log)
    // Late notices start no second delivery: the next commit is the next event delivered.
    const [next] = await store.append(Noted({ text: 'next' }, { eventId: 'next' }))
    await followed.reached(log.length + 1)
    expect(followed.seen).toEqual([...log, next!.eventId])
  })

  it('starts where it is told: after 0 is the whole log, left out only what comes next; `to` keeps some types', async () => {
    const store = await openTestStore()
    await store.append([Counted({ n: 1 }, { eventId: 'c1' }), Noted({ text: 'a' }, { eventId: 'n1' }), Counted({ n: 1 }, { eventId: 'c2' })])
    const whole = collect(store, { after: 0, batchSize: 1 })
    const fromTwo = collect(store, { after: 2 })
    const counted = collect(store, { after: 0, to: [Counted] })
    const fromNow = collect(store)
    await Promise.all([whole, fromTwo, counted, fromNow].map((c) => c.follower.caughtUp))
    expect([whole.seen, fromTwo.seen, counted.seen, fromNow.seen]).toEqual([['c1', 'n1', 'c2'], ['c2'], ['c1', 'c2'], []])
    expect(fromNow.follower.position).toBe(3)
    await store.append(Noted({ text: 'b' }, { eventId: 'n2' }))
    expect([whole.seen, counted.seen, fromNow.seen]).toEqual([['c1', 'n1', 'c2', 'n2'], ['c1', 'c2'], ['n2']])
    expect(counted.follower.position).toBe(4)
  })

  it('seeds a sync projection again when another connection takes events out of the log (sync’s rebase)', async () => {
    const [store, worker] = await twoConnections()
    await store.append([Counted({ n: 1 }, { eventId: 'kept' }), Counted({ n: 10 }, { eventId: 'unconfirmed' })], { stream: 'Tally$t' })
    const totals = counter(store)
    expect(await totals.ready).toEqual({ total: 11, ids: ['kept', 'unconfirmed'] })
    const rewrites: boolean[] = []
    store.onChange((change) => void (change.rewritten && rewrites.push(change.origin === 'elsewhere')))
    // The rebase: the unconfirmed tail out, the server's event in, one transaction.
    await worker.transaction(async (tx) => {
      await tx.truncateStream('Tally$t', 0)
      await tx.append(Counted({ n: 5 }, { eventId: 'confirmed' }), { stream: 'Tally$t', expectedVersion: 0 })
    })
    expect(await until(totals, (s) => s.total === 6)).toEqual({ total: 6, ids: ['kept', 'confirmed'] })
    expect(rewrites).toEqual([true])
  })

  it('runs deferred projections on another connection’s commits with no notify', async () => {
    const readModels = { version: 1, stores: { seen: 'eventId' } }
    const name = uniqueName()
    const store = await openTestStore({ name, readModels })
    const otherTab = await openTestStore({ name, readModels })
    const positions: number[] = []
    const waiting: Array<() => void> = []
    const runner = new ProjectionRunner(store, [defineProjection({ name: 'seen', events: [Noted], tables: ['seen'], apply: (event: RecordedEvent, { table }) => table('seen').put({ eventId: event.eventId }) })], {
      onStatus: ([status]) => {
        if (status?.state === 'idle') positions.push(status.checkpoint)
        for (const wake of waiting.splice(0)) wake()
      },
    })
    await runner.start()
    const [written] = await otherTab.append(Noted({ text: 'from another tab' }, { eventId: 'elsewhere' }))
    while (!positions.includes(written!.globalPosition)) await new Promise<void>((wake) => waiting.push(wake))
    expect(await store.db.table('seen').toArray()).toEqual([{ eventId: 'elsewhere' }])
    runner.stop()
  })

  it('ends with its store, and on stop', async () => {
    const store = await openTestStore()
    const stopped = collect(store)
    const closing = collect(store)
    await Promise.all([stopped.follower.caughtUp, closing.follower.caughtUp])
    stopped.follower.stop()
    await store.append(notes(1))
    expect([stopped.seen, closing.seen]).toEqual([[], ['e1']])
    store.close()
    await expect(store.follow(() => undefined).caughtUp).rejects.toMatchObject({ name: 'StoreClosedError' })
  })
})
