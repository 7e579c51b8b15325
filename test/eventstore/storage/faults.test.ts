import { describe, expect, it, vi } from 'vitest'
import {
  AggregateRepository,
  EventStoreError,
  InvalidEventDataError,
  ProjectionRunner,
  StorageQuotaExceededError,
  StoreClosedError,
  defineEvent,
  defineProjection,
  type EventStore,
  type StandardSchemaV1,
} from '../../../src/eventstore'
import { Noted, ids, notes } from '../../support/events'
import { abortingAt, countRequests, withFullDisk } from '../../support/faults'
import { failure } from '../../support/failure'
import { openTestStore, uniqueName } from '../../support/stores'
import { Tally } from '../../support/Tally'

async function snapshot(store: EventStore) {
  return {
    log: ids(await store.read.toArray()),
    a: ids(await store.read.stream('a').toArray()),
    b: ids(await store.read.stream('b').toArray()),
    versions: [await store.streamVersion('a'), await store.streamVersion('b')],
  }
}

describe('an append aborted at every point of its transaction', () => {
  it('leaves nothing behind, calls no handler and tells no listener, whichever request aborts it', async () => {
    const probe = await openTestStore()
    await probe.append(notes(2, 'seed-'), { stream: 'a' })
    const points = await countRequests(() => probe.append(notes(3, 'probe-'), { stream: 'a', expectedVersion: 1 }))
    expect(points).toBeGreaterThanOrEqual(7) // a version read, three log rows, three stream rows

    for (let k = 1; k <= points; k++) {
      const store = await openTestStore()
      await store.append(notes(2, 'seed-'), { stream: 'a' })
      const before = await snapshot(store)
      const handler = vi.fn()
      const listener = vi.fn()
      store.subscribeToAll(handler)
      store.onCommit(listener)
      const error = await failure(() => abortingAt(k, () => store.publish(notes(3), { stream: 'a', expectedVersion: 1 })))
      expect(error, `aborted at request ${k}`).toBeInstanceOf(EventStoreError)
      expect(await snapshot(store), `aborted at request ${k}`).toEqual(before)
      expect(handler).not.toHaveBeenCalled()
      expect(listener).not.toHaveBeenCalled()
      // And the store goes on working.
      await store.append(notes(1, 'after-'), { stream: 'a', expectedVersion: 1 })
      expect(await store.streamVersion('a')).toBe(2)
    }
  })

  it('leaves nothing behind for a link aborted at any point', async () => {
    const probe = await openTestStore()
    await probe.append(notes(3), { stream: 'a' })
    const points = await countRequests(() => probe.link(['e1', 'e3'], { stream: 'b' }))
    for (let k = 1; k <= points; k++) {
      const store = await openTestStore()
      await store.append(notes(3), { stream: 'a' })
      const before = await snapshot(store)
      expect(await failure(() => abortingAt(k, () => store.link(['e1', 'e3'], { stream: 'b' })))).toBeInstanceOf(EventStoreError)
      expect(await snapshot(store)).toEqual(before)
    }
  })

  it('rolls back a whole store.transaction aborted at any point', async () => {
    const readModels = { version: 1, stores: { rows: 'id' } }
    const work = (store: EventStore) =>
      store.transaction(async (tx) => {
        await tx.append(notes(2), { stream: 'a' })
        await tx.db.table('rows').put({ id: 1 })
        await tx.append(notes(1, 'x'), { stream: 'b' })
      })
    const points = await countRequests(async () => work(await openTestStore({ readModels })))
    for (let k = 1; k <= points; k++) {
      const store = await openTestStore({ readModels })
      await failure(() => abortingAt(k, () => work(store)))
      expect(await snapshot(store)).toEqual({ log: [], a: [], b: [], versions: [-1, -1] })
      expect(await store.db.table('rows').count()).toBe(0)
    }
  })
})

describe('a full disk', () => {
  it('fails the append with StorageQuotaExceededError, writes nothing, and the store works again after', async () => {
    const store = await openTestStore()
    await store.append(notes(1), { stream: 'a' })
    const error = await failure(() => withFullDisk(() => store.append(notes(2, 'x'), { stream: 'a' })))
    expect(error).toBeInstanceOf(StorageQuotaExceededError)
    expect(error.message).toContain('The last change was not saved')
    expect(await snapshot(store)).toMatchObject({ log: ['e1'], a: ['e1'], versions: [0, -1] })
    await store.append(notes(1, 'y'), { stream: 'a' })
    expect(await store.streamVersion('a')).toBe(1)
  })
})

describe('a tab on an older schema', () => {
  it('is told when another tab opens the database with a newer version, and fails cleanly instead of blocking it', async () => {
    const name = uniqueName()
    const told = vi.fn()
    const old = await openTestStore({ name, onVersionChange: told })
    await old.append(notes(1))
    const newer = await openTestStore({ name, readModels: { version: 1, stores: { added: 'id' } } })
    expect(told).toHaveBeenCalledTimes(1)
    expect(await failure(() => old.append(notes(1, 'late')))).toBeInstanceOf(StoreClosedError)
    expect(await newer.read.count()).toBe(1)
    await newer.db.table('added').put({ id: 1 })
  })
})

describe('bad data in the log', () => {
  const strictSchema: StandardSchemaV1<unknown, { amount: number }> = {
    '~standard': {
      version: 1,
      vendor: 'test',
      validate: (value) =>
        typeof (value as { amount?: unknown })?.amount === 'number'
          ? { value: value as { amount: number } }
          : { issues: [{ message: 'must be a number', path: ['amount'] }] },
    },
  }

  it('fails an aggregate load with InvalidEventDataError naming the event whose data no longer fits its schema', async () => {
    const store = await openTestStore()
    const StrictAdded = defineEvent('Tally.Added', { schema: strictSchema })
    class StrictTally extends Tally {
      constructor(id: string) {
        super(id)
        this.on(StrictAdded, (s, e) => ({ ...s, total: s.total + e.data.amount, count: s.count + 1 }))
      }
    }
    await store.append([{ eventId: 'good', type: 'Tally.Added', data: { amount: 1 }, metadata: {} }], { stream: 'Tally$t' })
    await store.append([{ eventId: 'broken', type: 'Tally.Added', data: { amount: 'lots' }, metadata: {} }], { stream: 'Tally$t' })
    const error = await failure(() => new AggregateRepository(store).load(StrictTally, 't'))
    expect(error).toBeInstanceOf(InvalidEventDataError)
    expect(error).toMatchObject({ eventId: 'broken', eventType: 'Tally.Added', issues: ['amount: must be a number'] })
    expect(error.message).toContain('The stored event is unchanged')
  })

  it('stops a deferred projection at a bad event, visibly, without skipping it', async () => {
    const store = await openTestStore({ readModels: { version: 1, stores: { seen: 'eventId' } } })
    await store.append([...notes(2), { eventId: 'bad', type: 'Test.Noted', data: { text: 42 }, metadata: {} }, ...notes(1, 'after-')])
    const projection = defineProjection({
      name: 'texts',
      events: [Noted],
      tables: ['seen'],
      apply: async (event, { table }) => {
        if (typeof (event.data as { text: unknown }).text !== 'string') throw new InvalidEventDataError(event.type, 'text must be a string', [], { eventId: event.eventId })
        await table('seen').put({ eventId: event.eventId })
      },
    })
    const runner = new ProjectionRunner(store, [projection], { maxAttempts: 2, sleep: async () => undefined })
    await runner.start()
    expect(runner.status()[0]).toMatchObject({ state: 'stopped', failure: { eventId: 'bad', error: { name: 'InvalidEventDataError' } } })
    expect((await store.db.table('seen').toArray()).map((r) => r.eventId)).toEqual(['e1', 'e2'])
  })
})

describe('a deferred projection interrupted mid-rebuild', () => {
  it('resumes on the next start with every event applied exactly once', async () => {
    const name = uniqueName()
    const readModels = { version: 1, stores: { applied: 'eventId' } }
    const counting = defineProjection({
      name: 'counting',
      events: [Noted],
      tables: ['applied'],
      apply: async (event, { table }) => {
        const row = await table('applied').get(event.eventId)
        await table('applied').put({ eventId: event.eventId, times: (row?.times ?? 0) + 1 })
      },
    })
    const first = await openTestStore({ name, readModels })
    await first.append(notes(20))
    const runner = new ProjectionRunner(first, [counting], { batchSize: 3 })
    await runner.start()
    // The page closes after a few batches of the rebuild: the runner stops where it is.
    const closing = new ProjectionRunner(first, [counting], {
      batchSize: 3,
      onStatus: ([s]) => s?.progress && s.progress.done >= 6 && closing.stop(),
    })
    await closing.start()
    await closing.rebuild('counting')
    expect(await first.db.table('applied').count()).toBeLessThan(20)
    first.close()

    const reopened = await openTestStore({ name, readModels })
    await new ProjectionRunner(reopened, [counting], { batchSize: 3 }).start()
    const rows = await reopened.db.table('applied').toArray()
    expect(rows).toHaveLength(20)
    expect(rows.every((r) => r.times === 1)).toBe(true)
  })
})
