import { describe, expect, it } from 'vitest'
import {
  EventDuplicatedInStreamError,
  EventStoreError,
  IncorrectStreamDataError,
  InvalidEventDataError,
  InvalidExpectedVersionError,
  WrongExpectedVersionError,
  type EventStore,
} from '../../../src/eventstore'
import { Counted, Noted, ids, notes } from '../../support/events'
import { failure } from '../../support/failure'
import { openTestStore } from '../../support/stores'

/** Everything the store holds, to compare before and after a failed call. */
async function contents(store: EventStore, stream = 's') {
  return {
    log: ids(await store.read.toArray()),
    stream: ids(await store.read.stream(stream).toArray()),
    version: await store.streamVersion(stream),
  }
}

describe('append with expected versions', () => {
  it('gives an empty stream version -1', async () => {
    const store = await openTestStore()
    expect(await store.streamVersion('s')).toBe(-1)
  })

  it('appends to a new stream with "none" at positions 0…n-1', async () => {
    const store = await openTestStore()
    await store.append(notes(3), { stream: 's', expectedVersion: 'none' })
    expect(await store.streamVersion('s')).toBe(2)
    expect(await Promise.all(['e1', 'e2', 'e3'].map((id) => store.positionInStream(id, 's')))).toEqual([0, 1, 2])
  })

  it('rejects "none" when the stream has events, and writes nothing', async () => {
    const store = await openTestStore()
    await store.append(notes(1), { stream: 's' })
    const before = await contents(store)
    const error = await failure(() => store.append(notes(1, 'x'), { stream: 's', expectedVersion: 'none' }))
    expect(error).toBeInstanceOf(WrongExpectedVersionError)
    expect(error).toMatchObject({ name: 'WrongExpectedVersionError', stream: 's', expected: 'none', actual: 0 })
    expect(await contents(store)).toEqual(before)
  })

  it('appends when a numeric expected version equals the stream version', async () => {
    const store = await openTestStore()
    await store.append(notes(2), { stream: 's', expectedVersion: -1 })
    await store.append(notes(2, 'x'), { stream: 's', expectedVersion: 1 })
    expect(ids(await store.read.stream('s').toArray())).toEqual(['e1', 'e2', 'x1', 'x2'])
  })

  it('rejects a numeric expected version that is behind, with stream, expected and actual', async () => {
    const store = await openTestStore()
    await store.append(notes(3), { stream: 's' })
    const error = await failure(() => store.append(notes(1, 'x'), { stream: 's', expectedVersion: 1 }))
    expect(error).toBeInstanceOf(WrongExpectedVersionError)
    expect(error).toMatchObject({ stream: 's', expected: 1, actual: 2 })
  })

  it('rejects a numeric expected version that is ahead (a gap)', async () => {
    const store = await openTestStore()
    await store.append(notes(1), { stream: 's' })
    const error = await failure(() => store.append(notes(1, 'x'), { stream: 's', expectedVersion: 5 }))
    expect(error).toMatchObject({ name: 'WrongExpectedVersionError', expected: 5, actual: 0 })
    expect(await store.streamVersion('s')).toBe(0)
  })

  it('rejects -1 on a stream that has events', async () => {
    const store = await openTestStore()
    await store.append(notes(1), { stream: 's' })
    expect(await failure(() => store.append(notes(1, 'x'), { stream: 's', expectedVersion: -1 }))).toBeInstanceOf(
      WrongExpectedVersionError,
    )
  })

  it('appends with "any" whatever the version', async () => {
    const store = await openTestStore()
    await store.append(notes(1), { stream: 's', expectedVersion: 'any' })
    await store.append(notes(1, 'x'), { stream: 's', expectedVersion: 'any' })
    expect(await store.streamVersion('s')).toBe(1)
  })

  it('defaults to "any" when no expected version is given', async () => {
    const store = await openTestStore()
    await store.append(notes(1), { stream: 's' })
    await store.append(notes(1, 'x'), { stream: 's' })
    expect(ids(await store.read.stream('s').toArray())).toEqual(['e1', 'x1'])
  })

  it('appends with "auto" after the current last position', async () => {
    const store = await openTestStore()
    await store.append(notes(2), { stream: 's', expectedVersion: 'auto' })
    await store.append(notes(1, 'x'), { stream: 's', expectedVersion: 'auto' })
    expect(await store.positionInStream('x1', 's')).toBe(2)
  })

  it.each([['sometimes'], [-2], [1.5], [Number.NaN], [null], [{}]])(
    'rejects expected version %s as invalid and writes nothing',
    async (expectedVersion) => {
      const store = await openTestStore()
      const error = await failure(() => store.append(notes(1), { stream: 's', expectedVersion: expectedVersion as never }))
      expect(error).toBeInstanceOf(InvalidExpectedVersionError)
      expect(error.name).toBe('InvalidExpectedVersionError')
      expect(await store.read.count()).toBe(0)
    },
  )

  it('rejects a numeric expected version without a stream', async () => {
    const store = await openTestStore()
    expect(await failure(() => store.append(notes(1), { expectedVersion: 0 }))).toBeInstanceOf(InvalidExpectedVersionError)
    expect(await store.read.count()).toBe(0)
  })

  it('keeps versions of different streams apart', async () => {
    const store = await openTestStore()
    await store.append(notes(2, 'a'), { stream: 'a' })
    await store.append(notes(1, 'b'), { stream: 'b', expectedVersion: 'none' })
    expect([await store.streamVersion('a'), await store.streamVersion('b')]).toEqual([1, 0])
  })

  it('treats stream names that share a prefix as different streams', async () => {
    const store = await openTestStore()
    await store.append(notes(1, 'a'), { stream: 'Cart$1' })
    await store.append(notes(1, 'b'), { stream: 'Cart$10' })
    expect(ids(await store.read.stream('Cart$1').toArray())).toEqual(['a1'])
    expect(await store.streamVersion('Cart$10')).toBe(0)
  })
})

describe('the global log', () => {
  it('stores an event appended without a stream in the log only', async () => {
    const store = await openTestStore()
    const [recorded] = await store.append(notes(1))
    expect(recorded?.globalPosition).toBeGreaterThan(0)
    expect(await store.streamsOf('e1')).toEqual([])
    expect(ids(await store.read.toArray())).toEqual(['e1'])
  })

  it('gives growing global positions in commit order across streams', async () => {
    const store = await openTestStore()
    await store.append(notes(2, 'a'), { stream: 'a' })
    await store.append(notes(2, 'b'), { stream: 'b' })
    await store.append(notes(1, 'c'))
    const positions = await Promise.all(['a1', 'a2', 'b1', 'b2', 'c1'].map((id) => store.globalPosition(id)))
    expect([...positions].sort((x, y) => x - y)).toEqual(positions)
    expect(new Set(positions).size).toBe(5)
  })

  it('returns the recorded events with their global positions and metadata', async () => {
    const clock = () => new Date('2026-11-26T10:00:00Z')
    const store = await openTestStore({ clock })
    const recorded = await store.append([Counted({ n: 1 }, { eventId: 'c1' })], { stream: 's' })
    expect(recorded).toEqual([
      {
        eventId: 'c1',
        type: 'Test.Counted',
        data: { n: 1 },
        metadata: { correlationId: 'c1', timestamp: clock(), validAt: clock() },
        globalPosition: await store.globalPosition('c1'),
      },
    ])
    expect(await store.read.event('c1')).toEqual(recorded[0])
  })

  it('appends nothing and succeeds for an empty batch', async () => {
    const store = await openTestStore()
    expect(await store.append([], { stream: 's', expectedVersion: 'none' })).toEqual([])
    expect(await store.read.count()).toBe(0)
  })
})

describe('a failed append writes nothing', () => {
  it('rejects an event id already in the stream', async () => {
    const store = await openTestStore()
    await store.append(notes(2), { stream: 's' })
    const before = await contents(store)
    const error = await failure(() => store.append([Noted({ text: 'again' }, { eventId: 'e2' })], { stream: 's' }))
    expect(error).toBeInstanceOf(EventDuplicatedInStreamError)
    expect(error).toMatchObject({ eventId: 'e2', stream: 's' })
    expect(await contents(store)).toEqual(before)
  })

  it('rejects an id already stored, appended again to another stream', async () => {
    const store = await openTestStore()
    await store.append(notes(1), { stream: 'a' })
    const error = await failure(() => store.append(notes(1), { stream: 'b' }))
    expect(error).toBeInstanceOf(EventDuplicatedInStreamError)
    expect(await store.streamVersion('b')).toBe(-1)
    expect(await store.read.count()).toBe(1)
  })

  it('rejects a batch whose last event is a duplicate, keeping none of the batch', async () => {
    const store = await openTestStore()
    await store.append(notes(1), { stream: 's' })
    const batch = [...notes(3, 'x'), Noted({ text: 'dup' }, { eventId: 'e1' })]
    expect(await failure(() => store.append(batch, { stream: 's' }))).toBeInstanceOf(EventDuplicatedInStreamError)
    expect(ids(await store.read.toArray())).toEqual(['e1'])
    expect(await store.read.event('x1')).toBeUndefined()
  })

  it('rejects a batch that repeats an id within itself', async () => {
    const store = await openTestStore()
    const batch = [Noted({ text: 'a' }, { eventId: 'same' }), Noted({ text: 'b' }, { eventId: 'same' })]
    expect(await failure(() => store.append(batch, { stream: 's' }))).toBeInstanceOf(EventDuplicatedInStreamError)
    expect(await store.read.count()).toBe(0)
  })

  it('rejects a wrong version for a batch and keeps none of it', async () => {
    const store = await openTestStore()
    await store.append(notes(1), { stream: 's' })
    await failure(() => store.append(notes(50, 'x'), { stream: 's', expectedVersion: 7 }))
    expect(await store.read.count()).toBe(1)
    expect(await store.streamVersion('s')).toBe(0)
  })

  it.each([[''], [42], [null]])('rejects stream name %j with IncorrectStreamDataError', async (stream) => {
    const store = await openTestStore()
    const error = await failure(() => store.append(notes(1), { stream: stream as never }))
    expect(error).toBeInstanceOf(IncorrectStreamDataError)
    expect(error.name).toBe('IncorrectStreamDataError')
    expect(await store.read.count()).toBe(0)
  })

  it('rejects data IndexedDB cannot store (a function) with InvalidEventDataError', async () => {
    const store = await openTestStore()
    const bad = { eventId: 'f1', type: 'Test.Bad', data: { run: () => 1 }, metadata: {} }
    const error = await failure(() => store.append([...notes(2), bad], { stream: 's' }))
    expect(error).toBeInstanceOf(InvalidEventDataError)
    expect(error).toMatchObject({ name: 'InvalidEventDataError', eventType: 'Test.Bad' })
    expect(await store.read.count()).toBe(0)
    expect(await store.streamVersion('s')).toBe(-1)
  })

  it('rejects a symbol in the data', async () => {
    const store = await openTestStore()
    const bad = { eventId: 'y1', type: 'Test.Bad', data: { tag: Symbol('x') }, metadata: {} }
    expect(await failure(() => store.append([bad]))).toBeInstanceOf(InvalidEventDataError)
    expect(await store.read.count()).toBe(0)
  })

  it.each([
    ['no event id', { type: 'T', data: {}, metadata: {} }],
    ['an empty type', { eventId: 'x', type: '', data: {}, metadata: {} }],
    ['not an object', 'Test.Noted'],
    ['a timestamp that is not a Date', { eventId: 'x', type: 'T', data: {}, metadata: { timestamp: 'yesterday' } }],
  ])('rejects an event with %s', async (_what, event) => {
    const store = await openTestStore()
    const error = await failure(() => store.append([event as never], { stream: 's' }))
    expect(error).toBeInstanceOf(InvalidEventDataError)
    expect(error).toBeInstanceOf(EventStoreError)
    expect(await store.read.count()).toBe(0)
  })
})
