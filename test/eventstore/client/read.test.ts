import { describe, expect, it } from 'vitest'
import {
  EventNotFoundError,
  IncorrectStreamDataError,
  InvalidPageSizeError,
  type EventStore,
  type ReadQuery,
} from '../../../src/eventstore'
import { openTestStore } from '../../support/stores'
import { Counted, Flagged, Noted, ids, notes } from '../../support/events'

/** Resolves with what `fn` threw, at once or through its promise; fails when nothing was thrown. */
const failure = async (fn: () => unknown): Promise<unknown> => {
  try {
    await fn()
  } catch (e) {
    return e
  }
  throw new Error('expected a failure')
}

/** The ids of every batch `query.inBatches(size)` yields, batch by batch. */
const batches = async (query: ReadQuery, size?: number): Promise<string[][]> => {
  const out: string[][] = []
  for await (const batch of query.inBatches(size)) out.push(ids(batch))
  return out
}

const N = (id: string) => Noted({ text: id }, { eventId: id })
const C = (id: string) => Counted({ n: Number(id.slice(1)) }, { eventId: id })
const F = (id: string) => Flagged({ flag: true }, { eventId: id })

// Stream "s" holds a1…a8 (types N C F N C N F C); stream "other" holds o1 (N) and o2 (C),
// appended between a4 and a5, so the global log interleaves the two streams.
const LOG = ['a1', 'a2', 'a3', 'a4', 'o1', 'o2', 'a5', 'a6', 'a7', 'a8']
const S = ['a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 'a8']
const reversed = (list: string[]) => [...list].reverse()

async function seeded(): Promise<EventStore> {
  const store = await openTestStore()
  await store.append([N('a1'), C('a2'), F('a3'), N('a4')], { stream: 's', expectedVersion: 'none' })
  await store.append([N('o1'), C('o2')], { stream: 'other', expectedVersion: 'none' })
  await store.append([C('a5'), N('a6'), F('a7'), C('a8')], { stream: 's', expectedVersion: 3 })
  return store
}

describe('reading the global log', () => {
  it('returns every event in commit order forward and newest first backward', async () => {
    const store = await seeded()
    const forward = await store.read.toArray()
    expect(ids(forward)).toEqual(LOG)
    const positions = forward.map((e) => e.globalPosition)
    expect(positions).toEqual([...positions].sort((a, b) => a - b))
    expect(new Set(positions).size).toBe(LOG.length)
    expect(ids(await store.read.backward().toArray())).toEqual(reversed(LOG))
    expect(ids(await store.read.backward().forward().toArray())).toEqual(LOG)
  })

  it('includes events appended without a stream, which no stream read returns', async () => {
    const store = await seeded()
    await store.append(N('loose'))
    expect(ids(await store.read.toArray())).toEqual([...LOG, 'loose'])
    expect(ids(await store.read.stream('s').toArray())).toEqual(S)
    expect(await store.read.stream('loose').count()).toBe(0)
  })

  it('filters by type with definitions, type names and several types, in both directions', async () => {
    const store = await seeded()
    expect(ids(await store.read.ofType(Noted).toArray())).toEqual(['a1', 'a4', 'o1', 'a6'])
    expect(ids(await store.read.ofType('Test.Noted').toArray())).toEqual(['a1', 'a4', 'o1', 'a6'])
    expect(ids(await store.read.ofType([Counted, 'Test.Flagged']).toArray())).toEqual(['a2', 'a3', 'o2', 'a5', 'a7', 'a8'])
    expect(ids(await store.read.ofType([Counted, 'Test.Flagged']).backward().toArray())).toEqual(['a8', 'a7', 'a5', 'o2', 'a3', 'a2'])
    expect(await store.read.ofType('Test.Unknown').toArray()).toEqual([])
  })

  it('treats from and to as exclusive bounds going forward', async () => {
    const store = await seeded()
    expect(ids(await store.read.from('a4').toArray())).toEqual(['o1', 'o2', 'a5', 'a6', 'a7', 'a8'])
    expect(ids(await store.read.to('a4').toArray())).toEqual(['a1', 'a2', 'a3'])
    expect(ids(await store.read.from('a2').to('a5').toArray())).toEqual(['a3', 'a4', 'o1', 'o2'])
    expect(await store.read.from('a2').to('a3').toArray()).toEqual([])
    expect(await store.read.from('a5').to('a2').toArray()).toEqual([])
  })

  it('takes from as the newer end and to as the older end going backward, both exclusive', async () => {
    const store = await seeded()
    expect(ids(await store.read.backward().from('a5').toArray())).toEqual(['o2', 'o1', 'a4', 'a3', 'a2', 'a1'])
    expect(ids(await store.read.backward().to('a5').toArray())).toEqual(['a8', 'a7', 'a6'])
    expect(ids(await store.read.backward().from('a6').to('a3').toArray())).toEqual(['a5', 'o2', 'o1', 'a4'])
  })

  it('rejects a from or to id that is not stored with EventNotFoundError naming the id', async () => {
    const store = await seeded()
    const fromErr = await failure(() => store.read.from('nope').toArray())
    expect(fromErr).toBeInstanceOf(EventNotFoundError)
    expect(fromErr).toMatchObject({ name: 'EventNotFoundError', eventId: 'nope' })
    const toErr = await failure(() => store.read.backward().to('missing').count())
    expect(toErr).toBeInstanceOf(EventNotFoundError)
    expect(toErr).toMatchObject({ eventId: 'missing' })
  })

  it('reads nothing from an empty store', async () => {
    const store = await openTestStore()
    expect(await store.read.toArray()).toEqual([])
    expect(await store.read.backward().toArray()).toEqual([])
    expect(await store.read.count()).toBe(0)
    expect(await store.read.first()).toBeUndefined()
    expect(await store.read.last()).toBeUndefined()
    expect(await batches(store.read, 10)).toEqual([])
  })
})

describe('reading a stream', () => {
  it('returns only that stream in stream order, forward and backward', async () => {
    const store = await seeded()
    expect(ids(await store.read.stream('s').toArray())).toEqual(S)
    expect(ids(await store.read.stream('s').backward().toArray())).toEqual(reversed(S))
    expect(ids(await store.read.stream('other').toArray())).toEqual(['o1', 'o2'])
  })

  it('filters by type in both directions', async () => {
    const store = await seeded()
    const s = store.read.stream('s')
    expect(ids(await s.ofType(Noted).toArray())).toEqual(['a1', 'a4', 'a6'])
    expect(ids(await s.ofType('Test.Counted').backward().toArray())).toEqual(['a8', 'a5', 'a2'])
    expect(ids(await s.ofType([Flagged, 'Test.Counted']).toArray())).toEqual(['a2', 'a3', 'a5', 'a7', 'a8'])
    expect(ids(await s.ofType([Flagged, 'Test.Counted']).backward().toArray())).toEqual(['a8', 'a7', 'a5', 'a3', 'a2'])
  })

  it('treats from and to as exclusive stream positions going forward', async () => {
    const store = await seeded()
    const s = store.read.stream('s')
    expect(ids(await s.from('a4').toArray())).toEqual(['a5', 'a6', 'a7', 'a8'])
    expect(ids(await s.to('a4').toArray())).toEqual(['a1', 'a2', 'a3'])
    expect(ids(await s.from('a1').to('a8').toArray())).toEqual(['a2', 'a3', 'a4', 'a5', 'a6', 'a7'])
    expect(await s.from('a8').toArray()).toEqual([])
  })

  it('takes from as the newer end going backward', async () => {
    const store = await seeded()
    const s = store.read.stream('s').backward()
    expect(ids(await s.from('a4').toArray())).toEqual(['a3', 'a2', 'a1'])
    expect(ids(await s.to('a4').toArray())).toEqual(['a8', 'a7', 'a6', 'a5'])
    expect(ids(await s.from('a7').to('a2').toArray())).toEqual(['a6', 'a5', 'a4', 'a3'])
    expect(await s.from('a1').toArray()).toEqual([])
  })

  it('rejects a from or to id that is stored but not in the stream with EventNotFoundError', async () => {
    const store = await seeded()
    const fromErr = await failure(() => store.read.stream('s').from('o1').toArray())
    expect(fromErr).toBeInstanceOf(EventNotFoundError)
    expect(fromErr).toMatchObject({ eventId: 'o1' })
    const toErr = await failure(() => store.read.stream('s').backward().to('o2').toArray())
    expect(toErr).toBeInstanceOf(EventNotFoundError)
    expect(toErr).toMatchObject({ eventId: 'o2' })
    const unknown = await failure(() => store.read.stream('s').to('zzz').count())
    expect(unknown).toBeInstanceOf(EventNotFoundError)
    expect(unknown).toMatchObject({ eventId: 'zzz' })
  })

  it('limits the page from the start of the direction read', async () => {
    const store = await seeded()
    const s = store.read.stream('s')
    expect(ids(await s.limit(3).toArray())).toEqual(['a1', 'a2', 'a3'])
    expect(ids(await s.backward().limit(3).toArray())).toEqual(['a8', 'a7', 'a6'])
    expect(ids(await s.limit(100).toArray())).toEqual(S)
    expect(ids(await store.read.limit(5).backward().toArray())).toEqual(['a8', 'a7', 'a6', 'a5', 'o2'])
  })

  it('combines from, to, ofType and limit forward and backward', async () => {
    const store = await seeded()
    const s = store.read.stream('s')
    expect(ids(await s.from('a1').to('a8').ofType([Noted, Counted]).limit(3).toArray())).toEqual(['a2', 'a4', 'a5'])
    expect(ids(await s.backward().from('a8').to('a1').ofType([Noted, Counted]).limit(3).toArray())).toEqual(['a6', 'a5', 'a4'])
    expect(ids(await store.read.backward().from('a8').to('a1').ofType(Counted).limit(2).toArray())).toEqual(['a5', 'o2'])
  })

  it('rejects an empty stream name with IncorrectStreamDataError', async () => {
    const store = await seeded()
    const err = await failure(() => store.read.stream(''))
    expect(err).toBeInstanceOf(IncorrectStreamDataError)
    expect(err).toMatchObject({ name: 'IncorrectStreamDataError' })
  })

  it('reads nothing from a stream that was never written', async () => {
    const store = await seeded()
    const q = store.read.stream('nobody')
    expect(await q.toArray()).toEqual([])
    expect(await q.backward().toArray()).toEqual([])
    expect(await q.count()).toBe(0)
    expect(await q.first()).toBeUndefined()
    expect(await q.last()).toBeUndefined()
    expect(await batches(q, 3)).toEqual([])
  })
})

describe('withIds', () => {
  it('returns the given events of a stream in the direction read, whatever order the ids came in', async () => {
    const store = await seeded()
    const s = store.read.stream('s')
    expect(ids(await s.withIds(['a6', 'a2', 'a4']).toArray())).toEqual(['a2', 'a4', 'a6'])
    expect(ids(await s.withIds(['a6', 'a2', 'a4']).backward().toArray())).toEqual(['a6', 'a4', 'a2'])
  })

  it('leaves out unknown ids and ids that are not in the stream being read', async () => {
    const store = await seeded()
    expect(ids(await store.read.stream('s').withIds(['a3', 'ghost', 'o1', 'a1']).toArray())).toEqual(['a1', 'a3'])
    expect(ids(await store.read.stream('other').withIds(['a3', 'o2']).toArray())).toEqual(['o2'])
    expect(await store.read.stream('s').withIds(['ghost']).toArray()).toEqual([])
  })

  it('on the global log returns ids from any stream, and composes with ofType, from and limit', async () => {
    const store = await seeded()
    const wanted = ['a8', 'o1', 'ghost', 'a2', 'a5', 'o2']
    expect(ids(await store.read.withIds(wanted).toArray())).toEqual(['a2', 'o1', 'o2', 'a5', 'a8'])
    expect(ids(await store.read.withIds(wanted).backward().toArray())).toEqual(['a8', 'a5', 'o2', 'o1', 'a2'])
    expect(ids(await store.read.withIds(wanted).ofType(Counted).toArray())).toEqual(['a2', 'o2', 'a5', 'a8'])
    expect(ids(await store.read.withIds(wanted).from('o1').limit(2).toArray())).toEqual(['o2', 'a5'])
    expect(await store.read.withIds(wanted).count()).toBe(5)
  })
})

describe('count, first and last', () => {
  it('counts matching events with and without filters and limits', async () => {
    const store = await seeded()
    expect(await store.read.count()).toBe(10)
    expect(await store.read.stream('s').count()).toBe(8)
    expect(await store.read.stream('s').ofType(Noted).count()).toBe(3)
    expect(await store.read.ofType([Counted, Flagged]).count()).toBe(6)
    expect(await store.read.limit(4).count()).toBe(4)
    expect(await store.read.limit(40).count()).toBe(10)
    expect(await store.read.stream('s').ofType(Counted).limit(2).count()).toBe(2)
    expect(await store.read.stream('s').from('a2').to('a7').count()).toBe(4)
    expect(await store.read.stream('s').backward().from('a7').to('a2').ofType(Noted).count()).toBe(2)
    expect(await store.read.backward().from('a5').count()).toBe(6)
    expect(await store.read.stream('s').withIds(['a1', 'o1', 'a8']).count()).toBe(2)
  })

  it('first and last give the ends of the result in the direction read', async () => {
    const store = await seeded()
    const s = store.read.stream('s')
    expect((await s.first())?.eventId).toBe('a1')
    expect((await s.last())?.eventId).toBe('a8')
    expect((await s.backward().first())?.eventId).toBe('a8')
    expect((await s.backward().last())?.eventId).toBe('a1')
    expect((await s.ofType(Flagged).first())?.eventId).toBe('a3')
    expect((await s.ofType(Flagged).last())?.eventId).toBe('a7')
    expect(await s.ofType('Test.Unknown').first()).toBeUndefined()
    expect(await s.ofType('Test.Unknown').last()).toBeUndefined()
  })

  it('last of a query bounded by from and to is the event just inside the far bound', async () => {
    const store = await seeded()
    expect((await store.read.from('a3').to('a6').first())?.eventId).toBe('a4')
    expect((await store.read.from('a3').to('a6').last())?.eventId).toBe('a5')
    expect((await store.read.backward().from('a6').to('a3').last())?.eventId).toBe('a4')
    expect((await store.read.stream('s').from('a2').last())?.eventId).toBe('a8')
    expect((await store.read.stream('s').backward().to('a2').last())?.eventId).toBe('a3')
    expect((await store.read.stream('s').from('a1').to('a4').ofType(Flagged).last())?.eventId).toBe('a3')
  })

  it('last of a limited query is the last event of that page', async () => {
    const store = await seeded()
    const s = store.read.stream('s')
    expect((await s.limit(3).last())?.eventId).toBe('a3')
    expect((await s.backward().limit(3).last())?.eventId).toBe('a6')
    expect((await s.ofType(Counted).limit(2).last())?.eventId).toBe('a5')
    expect((await store.read.limit(5).last())?.eventId).toBe('o1')
    expect((await s.limit(3).first())?.eventId).toBe('a1')
  })
})

describe('queries are immutable', () => {
  it('refining a query returns a new query and leaves the original reading what it read', async () => {
    const store = await seeded()
    const base = store.read.stream('s')
    const before = ids(await base.toArray())
    const refined = [
      base.ofType(Noted),
      base.backward(),
      base.limit(2),
      base.from('a2'),
      base.to('a7'),
      base.withIds(['a1']),
      base.stream('other'),
    ]
    for (const query of refined) expect(query).not.toBe(base)
    expect(ids(await base.toArray())).toEqual(before)
    expect(before).toEqual(S)
    expect(await base.count()).toBe(8)
    expect(ids(await refined[0]!.toArray())).toEqual(['a1', 'a4', 'a6'])
    expect(ids(await refined[2]!.toArray())).toEqual(['a1', 'a2'])
    // The store's root query is untouched by everything above.
    expect(ids(await store.read.toArray())).toEqual(LOG)
  })

  it('a kept query sees events appended after it was built', async () => {
    const store = await seeded()
    const query = store.read.stream('other').ofType(Noted)
    expect(ids(await query.toArray())).toEqual(['o1'])
    await store.append([N('o3')], { stream: 'other', expectedVersion: 1 })
    expect(ids(await query.toArray())).toEqual(['o1', 'o3'])
  })
})

describe('page sizes', () => {
  it('limit(0), limit(-1) and limit(1.5) throw InvalidPageSizeError', async () => {
    const store = await seeded()
    for (const bad of [0, -1, 1.5]) {
      const err = await failure(() => store.read.stream('s').limit(bad).toArray())
      expect(err).toBeInstanceOf(InvalidPageSizeError)
      expect(err).toMatchObject({ name: 'InvalidPageSizeError', limit: bad })
    }
  })

  it('inBatches with a size of zero, below zero or not whole throws InvalidPageSizeError', async () => {
    const store = await seeded()
    for (const query of [store.read, store.read.stream('s')]) {
      for (const bad of [0, -3, 2.5]) {
        const err = await failure(() => batches(query, bad))
        expect(err).toBeInstanceOf(InvalidPageSizeError)
        expect(err).toMatchObject({ limit: bad })
      }
    }
  })
})

describe('inBatches', () => {
  it('walks the global log in order, batch by batch, with no empty batch at the end', async () => {
    const store = await seeded()
    expect(await batches(store.read, 4)).toEqual([LOG.slice(0, 4), LOG.slice(4, 8), LOG.slice(8)])
    expect(await batches(store.read, 5)).toEqual([LOG.slice(0, 5), LOG.slice(5)])
    expect(await batches(store.read, 100)).toEqual([LOG])
    expect(await batches(store.read.backward(), 4)).toEqual([
      reversed(LOG).slice(0, 4),
      reversed(LOG).slice(4, 8),
      reversed(LOG).slice(8),
    ])
  })

  it('walks a stream forward and backward', async () => {
    const store = await seeded()
    expect(await batches(store.read.stream('s'), 3)).toEqual([
      ['a1', 'a2', 'a3'],
      ['a4', 'a5', 'a6'],
      ['a7', 'a8'],
    ])
    expect(await batches(store.read.stream('s').backward(), 3)).toEqual([
      ['a8', 'a7', 'a6'],
      ['a5', 'a4', 'a3'],
      ['a2', 'a1'],
    ])
  })

  it('applies a type filter to each batch', async () => {
    const store = await seeded()
    expect(await batches(store.read.ofType([Noted, Flagged]), 2)).toEqual([
      ['a1', 'a3'],
      ['a4', 'o1'],
      ['a6', 'a7'],
    ])
    expect(await batches(store.read.stream('s').ofType(Counted).backward(), 2)).toEqual([['a8', 'a5'], ['a2']])
  })

  it('stops at the query limit', async () => {
    const store = await seeded()
    expect(await batches(store.read.limit(7), 3)).toEqual([LOG.slice(0, 3), LOG.slice(3, 6), LOG.slice(6, 7)])
    expect(await batches(store.read.stream('s').limit(6), 3)).toEqual([S.slice(0, 3), S.slice(3, 6)])
    expect(await batches(store.read.stream('s').backward().ofType(Noted).limit(2), 5)).toEqual([['a6', 'a4']])
  })

  it('keeps from, to and withIds across batches', async () => {
    const store = await seeded()
    expect(await batches(store.read.stream('s').from('a1').to('a8'), 4)).toEqual([
      ['a2', 'a3', 'a4', 'a5'],
      ['a6', 'a7'],
    ])
    expect(await batches(store.read.backward().from('a7').to('a1'), 3)).toEqual([
      ['a6', 'a5', 'o2'],
      ['o1', 'a4', 'a3'],
      ['a2'],
    ])
    expect(await batches(store.read.withIds(['a8', 'a1', 'o2', 'a4', 'x']), 2)).toEqual([
      ['a1', 'a4'],
      ['o2', 'a8'],
    ])
  })

  it('yields every event of a few hundred exactly once, in order', async () => {
    const store = await openTestStore()
    await store.append(notes(150, 'x'), { stream: 'big', expectedVersion: 'none' })
    await store.append(notes(150, 'y'))
    await store.append(notes(50, 'z'), { stream: 'big', expectedVersion: 149 })
    const sizes = (list: string[][]) => list.map((b) => b.length)

    const log = await batches(store.read, 64)
    expect(sizes(log)).toEqual([64, 64, 64, 64, 64, 30])
    expect(log.flat()).toEqual(ids(await store.read.toArray()))
    expect(log.flat()).toHaveLength(350)

    const stream = await batches(store.read.stream('big').backward(), 64)
    expect(sizes(stream)).toEqual([64, 64, 64, 8])
    expect(stream.flat()).toEqual(ids(await store.read.stream('big').backward().toArray()))
    expect(stream.flat()[0]).toBe('z50')
    expect(stream.flat().at(-1)).toBe('x1')
  })

  it('finds sparse matches of a type filter past the first storage chunk', async () => {
    const store = await openTestStore()
    const events = Array.from({ length: 600 }, (_, i) =>
      i % 100 === 99 ? C(`c${i + 1}`) : Noted({ text: `n${i + 1}` }, { eventId: `n${i + 1}` }),
    )
    await store.append(events, { stream: 'sparse', expectedVersion: 'none' })
    const expected = ['c100', 'c200', 'c300', 'c400', 'c500', 'c600']
    expect(ids(await store.read.stream('sparse').ofType(Counted).toArray())).toEqual(expected)
    expect(ids(await store.read.ofType(Counted).backward().toArray())).toEqual(reversed(expected))
    expect(await batches(store.read.stream('sparse').ofType(Counted), 4)).toEqual([expected.slice(0, 4), expected.slice(4)])
    expect(await store.read.stream('sparse').ofType(Counted).count()).toBe(6)
    expect(await store.read.ofType(Counted).count()).toBe(6)
  })
})

describe('single events', () => {
  it('read.event returns the recorded event with its position and metadata, or undefined', async () => {
    const at = new Date('2024-05-06T07:08:09.000Z')
    const store = await openTestStore({ clock: () => at })
    await store.append([Noted({ text: 'hello' }, { eventId: 'h1', metadata: { source: 'test' } })], { stream: 's' })
    await store.append([Counted({ n: 2 }, { eventId: 'h2' })])
    const event = await store.read.event('h2')
    expect(event).toMatchObject({ eventId: 'h2', type: 'Test.Counted', data: { n: 2 } })
    expect(event?.globalPosition).toBe(await store.globalPosition('h2'))
    expect(event?.globalPosition).toBeGreaterThan((await store.read.event('h1'))!.globalPosition)
    const first = await store.read.eventOrThrow('h1')
    expect(first.metadata.source).toBe('test')
    expect(typeof first.metadata.correlationId).toBe('string')
    expect(first.metadata.correlationId.length).toBeGreaterThan(0)
    expect(first.metadata.timestamp).toBeInstanceOf(Date)
    expect(first.metadata.validAt).toBeInstanceOf(Date)
    expect(first.metadata.timestamp.getTime()).toBe(at.getTime())
    expect(first.metadata.validAt.getTime()).toBe(at.getTime())
    expect(await store.read.event('unknown')).toBeUndefined()
  })

  it('read.eventOrThrow rejects an unknown id with EventNotFoundError naming it', async () => {
    const store = await seeded()
    expect((await store.read.eventOrThrow('a5')).type).toBe('Test.Counted')
    const err = await failure(() => store.read.eventOrThrow('nope'))
    expect(err).toBeInstanceOf(EventNotFoundError)
    expect(err).toMatchObject({ name: 'EventNotFoundError', eventId: 'nope' })
  })

  it('events read through a query carry the same fields as read.event', async () => {
    const store = await seeded()
    const [fromQuery] = await store.read.stream('other').withIds(['o2']).toArray()
    expect(fromQuery).toEqual(await store.read.event('o2'))
    expect(fromQuery?.metadata.timestamp).toBeInstanceOf(Date)
  })
})

describe('linked and deleted streams', () => {
  it('a stream of linked events reads in link order, not in log order', async () => {
    const store = await seeded()
    await store.link(['a7', 'o1', 'a2'], { stream: 'picked', expectedVersion: 'none' })
    await store.link('a5', { stream: 'picked', expectedVersion: 2 })
    const picked = store.read.stream('picked')
    expect(ids(await picked.toArray())).toEqual(['a7', 'o1', 'a2', 'a5'])
    expect(ids(await picked.backward().toArray())).toEqual(['a5', 'a2', 'o1', 'a7'])
    expect(ids(await picked.from('a7').to('a5').toArray())).toEqual(['o1', 'a2'])
    expect(ids(await picked.backward().from('a5').limit(2).toArray())).toEqual(['a2', 'o1'])
    expect(ids(await picked.ofType(Counted).toArray())).toEqual(['a2', 'a5'])
    expect(ids(await picked.withIds(['a2', 'a7', 'a1']).toArray())).toEqual(['a7', 'a2'])
    expect(await picked.count()).toBe(4)
    expect((await picked.last())?.eventId).toBe('a5')
    expect(await batches(picked, 3)).toEqual([['a7', 'o1', 'a2'], ['a5']])
    // The source streams and the log are unchanged by linking.
    expect(ids(await store.read.stream('s').toArray())).toEqual(S)
    expect(ids(await store.read.toArray())).toEqual(LOG)
  })

  it('after deleteStream the stream reads empty while the log and other streams keep the events', async () => {
    const store = await seeded()
    await store.link(['a1', 'a2'], { stream: 'copy' })
    await store.deleteStream('s')
    const s = store.read.stream('s')
    expect(await s.toArray()).toEqual([])
    expect(await s.backward().ofType(Noted).toArray()).toEqual([])
    expect(await s.count()).toBe(0)
    expect(await s.first()).toBeUndefined()
    expect(await batches(s, 2)).toEqual([])
    const err = await failure(() => s.from('a3').toArray())
    expect(err).toBeInstanceOf(EventNotFoundError)
    expect(err).toMatchObject({ eventId: 'a3' })
    expect(ids(await store.read.toArray())).toEqual(LOG)
    expect(ids(await store.read.stream('copy').toArray())).toEqual(['a1', 'a2'])
    expect((await store.read.event('a3'))?.eventId).toBe('a3')
  })
})

describe('after(position)', () => {
  it('reads the log past a global position and a stream past a stream position, in either direction', async () => {
    const store = await openTestStore()
    await store.append(notes(3, 'a'), { stream: 'a' })
    await store.append(notes(3, 'b'), { stream: 'b' })
    expect(ids(await store.read.after(4).toArray())).toEqual(['b2', 'b3'])
    expect(ids(await store.read.stream('a').after(0).toArray())).toEqual(['a2', 'a3'])
    expect(ids(await store.read.stream('a').after(-1).toArray())).toEqual(['a1', 'a2', 'a3'])
    expect(ids(await store.read.stream('b').after(1).backward().toArray())).toEqual(['b3'])
    expect(await store.read.after(6).count()).toBe(0)
  })
})

describe('streamsOfEach', () => {
  it('gives each event’s streams in the order it joined them, and none for an unknown id', async () => {
    const store = await openTestStore()
    await store.append(notes(2), { stream: 's' })
    await store.link(['e2'], { stream: 't' })
    const streams = await store.streamsOfEach(['e1', 'e2', 'nope'])
    expect([...streams]).toEqual([
      ['e1', ['s']],
      ['e2', ['s', 't']],
      ['nope', []],
    ])
  })
})
