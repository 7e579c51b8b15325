import { describe, expect, it, vi } from 'vitest'
import { AggregateRepository, WrongExpectedVersionError, defineDecider, streamOf, type LoadReport } from '../../../src/eventstore'
import { failure } from '../../support/failure'
import { openTestStore, uniqueName } from '../../support/stores'
import { Added, Closed, SnapshottedTally, Tally, TallyClosedError } from '../../support/Tally'
import { snapshottedTallyDecider, tallyDecider } from './tallyDecider'

describe('defineDecider', () => {
  it('names its streams <name>$<id>, as a class aggregate does', () => {
    expect(streamOf(tallyDecider, 'd1')).toBe('Tally$d1')
    expect(streamOf(tallyDecider, 'd1')).toBe(streamOf(Tally, 'd1'))
  })

  it('refuses a decider without a name', () => {
    expect(() => defineDecider({ ...tallyDecider, name: '' })).toThrow(TypeError)
  })
})

describe('AggregateRepository with a decider', () => {
  it('handle loads the state, decides, and appends the events expecting the loaded version', async () => {
    const store = await openTestStore()
    const repository = new AggregateRepository(store)
    const first = await repository.handle(tallyDecider, 'd1', { type: 'Add', amount: 4 })
    expect(first.version).toBe(0)
    expect(first.state).toEqual({ total: 4, count: 1, closed: false })
    expect(first.events.map((e) => [e.type, e.data])).toEqual([['Tally.Added', { amount: 4 }]])
    const second = await repository.handle(tallyDecider, 'd1', { type: 'Close', reason: 'done' })
    expect(second).toMatchObject({ version: 1, state: { total: 4, closed: true } })
    expect((await store.read.stream('Tally$d1').toArray()).map((e) => e.type)).toEqual(['Tally.Added', 'Tally.Closed'])
    expect(await repository.loadState(tallyDecider, 'd1')).toEqual({ state: { total: 4, count: 1, closed: true }, version: 1 })
  })

  it('loadState of an empty stream is the initial state at version -1', async () => {
    const repository = new AggregateRepository(await openTestStore())
    expect(await repository.loadState(tallyDecider, 'none')).toEqual({ state: { total: 0, count: 0, closed: false }, version: -1 })
  })

  it('reads and writes the same streams as the class form', async () => {
    const store = await openTestStore()
    const repository = new AggregateRepository(store)
    await repository.withAggregate(Tally, 'both', (tally) => tally.add(2))
    await repository.handle(tallyDecider, 'both', { type: 'Add', amount: 3 })
    expect((await repository.load(Tally, 'both')).total).toBe(5)
    expect((await repository.loadState(tallyDecider, 'both')).state.total).toBe(5)
  })

  it('passes a domain error from decide through and writes nothing', async () => {
    const store = await openTestStore()
    const repository = new AggregateRepository(store)
    await store.append([Closed({ reason: 'x' })], { stream: 'Tally$d2' })
    expect(await failure(() => repository.handle(tallyDecider, 'd2', { type: 'Add', amount: 1 }))).toBeInstanceOf(TallyClosedError)
    expect(await store.streamVersion('Tally$d2')).toBe(0)
  })

  it('appends nothing for an empty decision and returns the loaded state', async () => {
    const store = await openTestStore()
    const repository = new AggregateRepository(store)
    await repository.handle(tallyDecider, 'd3', { type: 'Add', amount: 1 })
    const result = await repository.handle(tallyDecider, 'd3', { type: 'Nothing' })
    expect(result).toEqual({ state: { total: 1, count: 1, closed: false }, version: 0, events: [] })
    expect(await store.read.count()).toBe(1)
  })

  it('decides again on fresh state when it loses a race, if asked to', async () => {
    const name = uniqueName()
    const b = new AggregateRepository(await openTestStore({ name }))
    let decisions = 0
    const racing = defineDecider({
      ...tallyDecider,
      decide: (command: { amount: number }, state) => {
        decisions += 1
        return tallyDecider.decide({ type: 'Add', amount: command.amount }, state)
      },
    })
    // The other writer gets in between a's load and a's append, once.
    const store = await openTestStore({ name })
    const readHistory = store.readHistory.bind(store)
    let raced = false
    vi.spyOn(store, 'readHistory').mockImplementation(async (stream, snapshotVersion) => {
      const history = await readHistory(stream, snapshotVersion)
      if (!raced) {
        raced = true
        await b.handle(tallyDecider, 'r1', { type: 'Add', amount: 100 })
      }
      return history
    })
    const result = await new AggregateRepository(store).handle(racing, 'r1', { amount: 1 }, { retries: 2 })
    expect(decisions).toBe(2)
    expect(result).toMatchObject({ version: 1, state: { total: 101 } })
    expect((await b.loadState(tallyDecider, 'r1')).state.total).toBe(101)
  })

  it('lets the WrongExpectedVersionError through without retries, and gives up after the allowed ones', async () => {
    const name = uniqueName()
    const other = new AggregateRepository(await openTestStore({ name }))
    const store = await openTestStore({ name })
    const readHistory = store.readHistory.bind(store)
    // Every load is overtaken by another writer before its append.
    const spy = vi.spyOn(store, 'readHistory').mockImplementation(async (stream, snapshotVersion) => {
      const history = await readHistory(stream, snapshotVersion)
      await other.handle(tallyDecider, 'r2', { type: 'Add', amount: 1 })
      return history
    })
    const repository = new AggregateRepository(store)
    const once = await failure(() => repository.handle(tallyDecider, 'r2', { type: 'Add', amount: 1 }))
    expect(once).toBeInstanceOf(WrongExpectedVersionError)
    expect(once).toMatchObject({ stream: 'Tally$r2', expected: -1, actual: 0 })
    spy.mockClear()
    expect(await failure(() => repository.handle(tallyDecider, 'r2', { type: 'Add', amount: 1 }, { retries: 2 }))).toBeInstanceOf(WrongExpectedVersionError)
    expect(spy).toHaveBeenCalledTimes(3)
  })

  it('writes a snapshot every N events and loads from it, replaying only what came after', async () => {
    const store = await openTestStore()
    const reports: LoadReport[] = []
    const repository = new AggregateRepository(store, { onLoad: (r) => void reports.push(r) })
    for (let i = 0; i < 23; i++) await repository.handle(snapshottedTallyDecider, 's1', { type: 'Add', amount: 1 })
    expect(await store.snapshots.get('Tally$s1')).toMatchObject({ version: 19, schemaVersion: 1, state: { total: 20, count: 20 } })
    reports.length = 0
    expect(await repository.loadState(snapshottedTallyDecider, 's1')).toEqual({ state: { total: 23, count: 23, closed: false }, version: 22 })
    expect(reports).toEqual([{ stream: 'Tally$s1', snapshotAt: 19, eventsReplayed: 3 }])
  })

  it('shares snapshots with the class form of the same shape', async () => {
    const store = await openTestStore()
    const repository = new AggregateRepository(store)
    for (let i = 0; i < 10; i++) await repository.handle(snapshottedTallyDecider, 's2', { type: 'Add', amount: 2 })
    const reports: LoadReport[] = []
    const tally = await new AggregateRepository(store, { onLoad: (r) => void reports.push(r) }).load(SnapshottedTally, 's2')
    expect(tally.total).toBe(20)
    expect(reports).toEqual([{ stream: 'Tally$s2', snapshotAt: 9, eventsReplayed: 0 }])
  })

  it('falls back to a full replay, and says why, when the snapshot shape changed', async () => {
    const store = await openTestStore()
    const reports: LoadReport[] = []
    const repository = new AggregateRepository(store, { onLoad: (r) => void reports.push(r) })
    for (let i = 0; i < 12; i++) await repository.handle(snapshottedTallyDecider, 's3', { type: 'Add', amount: 1 })
    reports.length = 0
    const reshaped = defineDecider({ ...snapshottedTallyDecider, snapshotVersion: 2 })
    expect((await repository.loadState(reshaped, 's3')).state.total).toBe(12)
    expect(reports[0]).toMatchObject({ snapshotAt: null, eventsReplayed: 12 })
    expect(reports[0]?.snapshotRejected).toContain('shape 1')
  })

  it('works inside store.transaction through using(tx), and rolls back with it', async () => {
    const store = await openTestStore({ readModels: { version: 1, stores: { audit: '++id' } } })
    const repository = new AggregateRepository(store)
    await store.transaction(async (tx) => {
      await repository.using(tx).handle(tallyDecider, 'tx1', { type: 'Add', amount: 3 })
      await store.db.table('audit').add({ what: 'added 3' })
    })
    expect((await repository.loadState(tallyDecider, 'tx1')).state.total).toBe(3)
    expect(await store.db.table('audit').count()).toBe(1)

    const boom = new Error('changed my mind')
    const error = await failure(() =>
      store.transaction(async (tx) => {
        await repository.using(tx).handle(tallyDecider, 'tx1', { type: 'Add', amount: 4 })
        await store.db.table('audit').add({ what: 'added 4' })
        throw boom
      }),
    )
    expect(error).toBe(boom)
    expect(await repository.loadState(tallyDecider, 'tx1')).toMatchObject({ state: { total: 3 }, version: 0 })
    expect(await store.db.table('audit').count()).toBe(1)
  })

  it('runs the sync handlers of the events it appends', async () => {
    const store = await openTestStore()
    const seen: number[] = []
    store.subscribe((event) => void seen.push((event.data as { amount: number }).amount), { to: [Added] })
    await new AggregateRepository(store).handle(tallyDecider, 'h1', { type: 'Add', amount: 7 })
    expect(seen).toEqual([7])
  })
})
