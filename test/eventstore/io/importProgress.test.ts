import { describe, expect, it } from 'vitest'
import { exportNdjsonText, importNdjson, NdjsonImportError, type EventStore, type ImportProgress } from '../../../src/eventstore'
import { Counted, Noted, notes } from '../../support/events'
import { failure } from '../../support/failure'
import { openTestStore } from '../../support/stores'

async function seeded(): Promise<EventStore> {
  const store = await openTestStore()
  await store.append([Noted({ text: 'a' }, { eventId: 'a', metadata: { due: new Date('2024-06-01T00:00:00Z') } })], { stream: 'S1' })
  await store.append([Noted({ text: 'b' }, { eventId: 'b' })], { stream: 'X' })
  await store.link(['a'], { stream: 'X' })
  await store.append([Counted({ n: 1 }, { eventId: 'c', metadata: { correlationId: 'a', causationId: 'a' } })])
  return store
}

const ids = async (store: EventStore) => (await store.read.toArray()).map((e) => `${e.globalPosition}:${e.eventId}`)

describe('NDJSON import progress', () => {
  it('reports checking, then writing, with counts that only grow and end at their totals', async () => {
    const source = await openTestStore()
    await source.append(notes(2500), { stream: 'Big' })
    const text = await exportNdjsonText(source)
    const seen: ImportProgress[] = []
    const target = await openTestStore()
    const report = await importNdjson(target, text, { onProgress: (p) => seen.push({ ...p }) })
    expect(report).toEqual({ events: 2500, streams: 1, alreadyStored: 0 })
    const checking = seen.filter((p) => p.phase === 'checking')
    const writing = seen.filter((p) => p.phase === 'writing')
    expect(seen.indexOf(writing[0] as ImportProgress)).toBe(checking.length) // every checking step comes first
    expect(checking.length).toBeGreaterThan(2) // a step per thousand lines, not only start and end
    expect(checking.at(-1)).toEqual({ phase: 'checking', done: checking[0]?.total, total: checking[0]?.total })
    expect(writing.map((p) => p.done)).toEqual([0, 1000, 2000, 2500])
    expect(writing.every((p) => p.total === 2500)).toBe(true)
    for (const list of [checking, writing]) expect(list.map((p) => p.done)).toEqual([...list.map((p) => p.done)].sort((x, y) => x - y))
    expect(await target.read.stream('Big').count()).toBe(2500)
  }, 30_000) // thousands of events: slow on a busy machine

  it('reports no writing progress past zero when the file has a problem, and writes nothing', async () => {
    const seen: ImportProgress[] = []
    const target = await openTestStore()
    const error = await failure(() => importNdjson(target, '{oops', { onProgress: (p) => seen.push({ ...p }) }))
    expect(error).toBeInstanceOf(NdjsonImportError)
    expect(seen.some((p) => p.phase === 'writing')).toBe(false)
    expect(await target.read.count()).toBe(0)
  })
})

describe('NDJSON import of what the store already holds', () => {
  it('says every event is already stored, and writes nothing, when the same export is imported again', async () => {
    const store = await seeded()
    const text = await exportNdjsonText(store)
    const before = await ids(store)
    expect(await importNdjson(store, text)).toEqual({ events: 0, streams: 0, alreadyStored: 3 })
    expect(await ids(store)).toEqual(before)
    expect(await store.streamVersion('X')).toBe(1)
  })

  it('says so for a copy too: import into another store, then the same file again', async () => {
    const text = await exportNdjsonText(await seeded())
    const copy = await openTestStore()
    await copy.append(notes(1, 'other'))
    expect(await importNdjson(copy, text)).toMatchObject({ events: 3, alreadyStored: 0 })
    expect(await importNdjson(copy, text)).toEqual({ events: 0, streams: 0, alreadyStored: 3 })
    expect(await copy.read.count()).toBe(4)
  })

  it('takes a line without validAt as the event storing it made (validAt = timestamp)', async () => {
    const line = { eventId: 'h1', type: 'Hand.Made', streams: [{ stream: 'H', position: 0 }], metadata: { correlationId: 'h1', timestamp: '2024-01-01T00:00:00.000Z' }, data: { n: 1 } }
    const store = await openTestStore()
    expect(await importNdjson(store, JSON.stringify(line))).toMatchObject({ events: 1, alreadyStored: 0 })
    expect(await importNdjson(store, JSON.stringify(line))).toEqual({ events: 0, streams: 0, alreadyStored: 1 })
  })

  it('still lists each clash when a stored event differs from its line, in data or in streams', async () => {
    const store = await seeded()
    const lines = (await exportNdjsonText(store)).trimEnd().split('\n')
    const changed = JSON.stringify({ ...JSON.parse(lines[1] as string), data: { text: 'not b' } })
    const error = await failure(() => importNdjson(store, [lines[0], changed, lines[2]].join('\n')))
    expect((error as NdjsonImportError).issues.map((i) => i.line)).toEqual([1, 2, 3])
    await store.link(['c'], { stream: 'Later' })
    const moved = await failure(() => importNdjson(store, lines.join('\n')))
    expect(moved).toBeInstanceOf(NdjsonImportError)
    expect(await store.read.count()).toBe(3)
  })

  it('still lists each clash when only some of the events are stored', async () => {
    const store = await seeded()
    const lines = (await exportNdjsonText(store)).trimEnd().split('\n')
    const fresh = await openTestStore()
    await fresh.append([Noted({ text: 'x' }, { eventId: 'x' })])
    const extra = (await exportNdjsonText(fresh)).trimEnd()
    const error = await failure(() => importNdjson(store, [...lines, extra].join('\n')))
    expect((error as NdjsonImportError).issues.map((i) => i.message)).toEqual([
      'holds event "a", which this store already has',
      'holds event "b", which this store already has',
      'holds event "c", which this store already has',
    ])
  })
})

describe('NDJSON import progress counts', () => {
  it('counts the lines of the file, not the newline that ends it', async () => {
    const source = await openTestStore()
    await source.append(notes(3))
    const totals = new Set<number>()
    await importNdjson(await openTestStore(), await exportNdjsonText(source), { onProgress: (p) => p.phase === 'checking' && totals.add(p.total) })
    expect([...totals]).toEqual([3])
  })
})
