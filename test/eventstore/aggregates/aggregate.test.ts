import { describe, expect, it, vi } from 'vitest'
import {
  AggregateRepository,
  MissingHandlerError,
  WrongExpectedVersionError,
  streamOf,
} from '../../../src/eventstore'
import { failure } from '../../support/failure'
import { openTestStore, uniqueName } from '../../support/stores'
import { Added, Closed, Tally, TallyClosedError } from '../../support/Tally'

describe('AggregateRoot', () => {
  it('starts at version -1 with nothing to store', () => {
    const tally = new Tally('t1')
    expect(tally.version).toBe(-1)
    expect(tally.unpublishedEvents).toEqual([])
  })

  it('evolves its state through the handler of each applied event and keeps the events', () => {
    const tally = new Tally('t1')
    tally.add(2)
    tally.add(3)
    expect(tally.total).toBe(5)
    expect(tally.unpublishedEvents.map((e) => [e.type, e.data])).toEqual([
      ['Tally.Added', { amount: 2 }],
      ['Tally.Added', { amount: 3 }],
    ])
    expect(tally.version).toBe(-1)
  })

  it('refuses an event without a handler, naming the aggregate and the event type', async () => {
    const tally = new Tally('t1')
    const error = await failure(() => tally.forget())
    expect(error).toBeInstanceOf(MissingHandlerError)
    expect(error).toMatchObject({ aggregate: 'Tally', eventType: 'Tally.Forgotten' })
    expect(tally.unpublishedEvents).toEqual([])
  })
})

describe('AggregateRepository', () => {
  it('stores new events in <Name>$<id> expecting the loaded version, then clears them', async () => {
    const store = await openTestStore()
    const repository = new AggregateRepository(store)
    const tally = await repository.load(Tally, 't1')
    tally.add(4)
    tally.close()
    await repository.store(tally)
    expect(streamOf(Tally, 't1')).toBe('Tally$t1')
    expect((await store.read.stream('Tally$t1').toArray()).map((e) => e.type)).toEqual(['Tally.Added', 'Tally.Closed'])
    expect(tally.version).toBe(1)
    expect(tally.unpublishedEvents).toEqual([])
    expect(await repository.store(tally)).toEqual([])
  })

  it('keeps a transaction whole around using(tx).withAggregate, so a later write in it joins it', async () => {
    const store = await openTestStore({ readModels: { version: 1, stores: { audit: '++id' } } })
    const repository = new AggregateRepository(store)
    await store.transaction(async (tx) => {
      await repository.using(tx).withAggregate(Tally, 'tx1', (tally) => tally.add(3))
      await store.db.table('audit').add({ what: 'added 3' })
    })
    expect((await repository.load(Tally, 'tx1')).total).toBe(3)
    expect(await store.db.table('audit').count()).toBe(1)
  })

  it('rolls back using(tx).withAggregate with the rest of the transaction', async () => {
    const store = await openTestStore({ readModels: { version: 1, stores: { audit: '++id' } } })
    const repository = new AggregateRepository(store)
    const boom = new Error('changed my mind')
    const error = await failure(() =>
      store.transaction(async (tx) => {
        await repository.using(tx).withAggregate(Tally, 'tx2', (tally) => tally.add(3))
        await store.db.table('audit').add({ what: 'added 3' })
        throw boom
      }),
    )
    expect(error).toBe(boom)
    expect(await store.read.count()).toBe(0)
    expect(await store.db.table('audit').count()).toBe(0)
  })

  it('says the events are stored when a sync handler fails after the append committed', async () => {
    const store = await openTestStore()
    const repository = new AggregateRepository(store)
    const boom = new Error('read model failed')
    store.subscribe(() => {
      throw boom
    }, { to: [Added] })
    const tally = await repository.load(Tally, 'h1')
    tally.add(5)
    expect(await failure(() => repository.store(tally))).toBe(boom)
    // What the aggregate says is stored is what is stored: version 0, nothing left to store.
    expect(await store.streamVersion('Tally$h1')).toBe(0)
    expect(tally.version).toBe(0)
    expect(tally.unpublishedEvents).toEqual([])
    tally.add(1)
    await failure(() => repository.store(tally))
    expect(await store.streamVersion('Tally$h1')).toBe(1)
    expect((await repository.load(Tally, 'h1')).total).toBe(6)
  })

  it('keeps the events unstored when a sync handler fails inside a transaction, which rolls back', async () => {
    const store = await openTestStore()
    const repository = new AggregateRepository(store)
    store.subscribe(() => {
      throw new Error('read model failed')
    }, { to: [Added] })
    const tally = await repository.load(Tally, 'h2')
    tally.add(5)
    await failure(() => store.transaction((tx) => repository.using(tx).store(tally)))
    expect(await store.streamVersion('Tally$h2')).toBe(-1)
    expect(tally.version).toBe(-1)
    expect(tally.unpublishedEvents).toHaveLength(1)
  })

  it('rebuilds state and version by replaying the stream', async () => {
    const store = await openTestStore()
    const repository = new AggregateRepository(store)
    await store.append([Added({ amount: 1 }), Added({ amount: 10 }), Closed({ reason: 'x' })], { stream: 'Tally$t2' })
    const tally = await repository.load(Tally, 't2')
    expect(tally.total).toBe(11)
    expect(tally.version).toBe(2)
    expect(() => tally.add(1)).toThrow(TallyClosedError)
  })

  it('rejects a concurrent change with WrongExpectedVersionError and keeps the unstored events', async () => {
    const store = await openTestStore()
    const repository = new AggregateRepository(store)
    const first = await repository.load(Tally, 't3')
    const second = await repository.load(Tally, 't3')
    first.add(1)
    second.add(2)
    await repository.store(first)
    const error = await failure(() => repository.store(second))
    expect(error).toBeInstanceOf(WrongExpectedVersionError)
    expect(error).toMatchObject({ stream: 'Tally$t3', expected: -1, actual: 0 })
    expect(second.unpublishedEvents).toHaveLength(1)
    expect((await repository.load(Tally, 't3')).total).toBe(1)
  })

  it('withAggregate loads, runs and stores, returning what fn returns', async () => {
    const store = await openTestStore()
    const repository = new AggregateRepository(store)
    const result = await repository.withAggregate(Tally, 't4', (tally) => {
      tally.add(7)
      return 'ok'
    })
    expect(result).toBe('ok')
    expect((await repository.load(Tally, 't4')).total).toBe(7)
  })

  it('withAggregate stores nothing when fn throws', async () => {
    const store = await openTestStore()
    const repository = new AggregateRepository(store)
    await failure(() =>
      repository.withAggregate(Tally, 't5', (tally) => {
        tally.add(1)
        throw new Error('rule broken')
      }),
    )
    expect(await store.streamVersion('Tally$t5')).toBe(-1)
  })

  it('withAggregate re-runs fn on fresh state when it loses a race, if asked to', async () => {
    const name = uniqueName()
    const a = new AggregateRepository(await openTestStore({ name }))
    const b = new AggregateRepository(await openTestStore({ name }))
    let runs = 0
    await a.withAggregate(
      Tally,
      't6',
      async (tally) => {
        runs += 1
        if (runs === 1) await b.withAggregate(Tally, 't6', (other) => other.add(100))
        tally.add(1)
      },
      { retries: 2 },
    )
    expect(runs).toBe(2)
    const tally = await a.load(Tally, 't6')
    expect(tally.total).toBe(101)
    expect(tally.version).toBe(1)
  })

  it('withAggregate without retries lets the WrongExpectedVersionError through', async () => {
    const name = uniqueName()
    const a = new AggregateRepository(await openTestStore({ name }))
    const b = new AggregateRepository(await openTestStore({ name }))
    const error = await failure(() =>
      a.withAggregate(Tally, 't7', async (tally) => {
        await b.withAggregate(Tally, 't7', (other) => other.add(1))
        tally.add(1)
      }),
    )
    expect(error).toBeInstanceOf(WrongExpectedVersionError)
  })

  it('gives up after the allowed retries', async () => {
    const name = uniqueName()
    const a = new AggregateRepository(await openTestStore({ name }))
    const b = new AggregateRepository(await openTestStore({ name }))
    const fn = vi.fn(async (tally: Tally) => {
      await b.withAggregate(Tally, 't8', (other) => other.add(1))
      tally.add(1)
    })
    expect(await failure(() => a.withAggregate(Tally, 't8', fn, { retries: 2 }))).toBeInstanceOf(WrongExpectedVersionError)
    expect(fn).toHaveBeenCalledTimes(3)
  })

  it('fails a load on a stored event the aggregate has no handler for, naming the event id', async () => {
    const store = await openTestStore()
    await store.append([Added({ amount: 1 }), { eventId: 'odd-1', type: 'Tally.Renamed', data: {}, metadata: {} }], {
      stream: 'Tally$t9',
    })
    const error = await failure(() => new AggregateRepository(store).load(Tally, 't9'))
    expect(error).toBeInstanceOf(MissingHandlerError)
    expect(error).toMatchObject({ aggregate: 'Tally', eventType: 'Tally.Renamed', eventId: 'odd-1' })
  })
})
