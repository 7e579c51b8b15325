import { describe, expect, it } from 'vitest'
import {
  decodeLine,
  exportNdjson,
  exportNdjsonText,
  importNdjson,
  NdjsonImportError,
  reviveError,
  type EventStore,
  type NdjsonIssue,
} from '../../../src/eventstore'
import { Counted, Noted, ids, notes } from '../../support/events'
import { failure } from '../../support/failure'
import { openTestStore } from '../../support/stores'

const at = (iso: string) => new Date(iso)

/** A log with what an export must keep: streams joined out of log order, links, a log-only event, Dates, causation. */
async function seeded(): Promise<EventStore> {
  let t = 0
  const store = await openTestStore({ clock: () => new Date(Date.UTC(2024, 4, 1, 10, 0, t++)) })
  await store.append([Noted({ text: 'a' }, { eventId: 'a', metadata: { source: 'ui', due: at('2024-06-01T00:00:00Z') } })], { stream: 'S1' })
  await store.append([Noted({ text: 'b' }, { eventId: 'b' })], { stream: 'X' })
  await store.link(['a'], { stream: 'X' }) // a: S1@0 then X@1, although it is older than b (X@0)
  await store.append([Counted({ n: 1 }, { eventId: 'c', metadata: { correlationId: 'a', causationId: 'a' } })])
  await store.link(['c'], { stream: 'Y' }) // c joins Y before d is appended to it
  await store.append([Noted({ text: 'd', at: at('2020-01-02T03:04:05.006Z') } as any, { eventId: 'd' })], { stream: 'Y' })
  await store.link(['d'], { stream: 'S1' })
  return store
}

async function snapshot(store: EventStore) {
  const events = await store.read.toArray()
  const streams = Object.fromEntries(await Promise.all(events.map(async (e) => [e.eventId, await store.streamsOf(e.eventId)])))
  const members = Object.fromEntries(
    await Promise.all(['S1', 'X', 'Y'].map(async (s) => [s, (await store.read.stream(s).toArray()).map((e) => e.eventId)])),
  )
  return { events: events.map(({ globalPosition: _, ...rest }) => rest), streams, members }
}

const issuesOf = async (fn: () => Promise<unknown>): Promise<NdjsonIssue[]> => {
  const error = await failure(fn)
  expect(error).toBeInstanceOf(NdjsonImportError)
  return (error as NdjsonImportError).issues as NdjsonIssue[]
}

describe('NDJSON export', () => {
  it('writes one JSON line per event, in log order, with its streams, positions and Dates as ISO strings', async () => {
    const store = await seeded()
    const text = await exportNdjsonText(store, { batchSize: 2 })
    const lines = text.trimEnd().split('\n').map((line) => JSON.parse(line))
    expect(text.endsWith('\n')).toBe(true)
    expect(lines.map((l) => l.eventId)).toEqual(['a', 'b', 'c', 'd'])
    expect(lines[0]).toMatchObject({
      type: 'Test.Noted',
      globalPosition: 1,
      streams: [
        { stream: 'S1', position: 0 },
        { stream: 'X', position: 1 },
      ],
      metadata: { correlationId: 'a', timestamp: '2024-05-01T10:00:00.000Z', due: '2024-06-01T00:00:00.000Z', source: 'ui' },
      data: { text: 'a' },
    })
    expect(lines[0].dates).toEqual(expect.arrayContaining([['metadata', 'timestamp'], ['metadata', 'validAt'], ['metadata', 'due']]))
    expect(lines[3].dates).toContainEqual(['data', 'at'])
    expect(lines[2].streams).toEqual([{ stream: 'Y', position: 0 }])
  })
})

describe('NDJSON export while the app writes', () => {
  it('writes the log as it was when the export began, so a stream deleted and refilled between batches still imports', async () => {
    const store = await openTestStore()
    await store.append(notes(3), { stream: 'S' })
    await store.append(notes(2, 'o'), { stream: 'Other' })
    await store.link(['e2'], { stream: 'Other' })
    const before = await exportNdjsonText(store)
    const chunks = exportNdjson(store, { batchSize: 1 })
    const first = await chunks.next()
    // Between two batches: S is dropped and refilled (positions 0 and 1 again), the log grows.
    await store.deleteStream('S')
    await store.append(notes(2, 'x'), { stream: 'S' })
    await store.link(['e3'], { stream: 'Late' })
    let text = first.done ? '' : first.value
    for await (const chunk of chunks) text += chunk
    const target = await openTestStore()
    expect(await importNdjson(target, text)).toEqual({ events: 5, streams: 2, alreadyStored: 0 })
    expect(text).toBe(before)
    expect(ids(await target.read.stream('S').toArray())).toEqual(['e1', 'e2', 'e3'])
    expect(ids(await target.read.stream('Other').toArray())).toEqual(['o1', 'o2', 'e2'])
  })
})

describe('NDJSON and "__proto__"', () => {
  /** An object with an own "__proto__" key, as JSON.parse makes it (an assignment would set the prototype). */
  const withProto = (value: unknown, rest: Record<string, unknown> = {}) =>
    Object.defineProperty({ ...rest }, '__proto__', { value, enumerable: true, writable: true, configurable: true })

  it('keeps own "__proto__" keys of data and metadata through export and import', async () => {
    const data = { text: 'a', list: [JSON.parse('{"__proto__": 1}')], nested: withProto({ at: at('2024-02-02T00:00:00.000Z'), n: 1 }) }
    const source = await openTestStore()
    await source.append([{ eventId: 'p', type: 'T', data, metadata: JSON.parse('{"__proto__": {"x": "meta"}}') }], { stream: 'S' })
    const text = await exportNdjsonText(source)
    expect(text).toContain('"list":[{"__proto__":1}]')
    expect(text).toContain('"nested":{"__proto__":{"at":"2024-02-02T00:00:00.000Z","n":1}}')
    expect(text).toContain('"__proto__":{"x":"meta"}')
    const target = await openTestStore()
    await importNdjson(target, text)
    const copy = await target.read.eventOrThrow('p')
    const nested = (copy.data as typeof data).nested as Record<string, any>
    expect(Object.getPrototypeOf(nested)).toBe(Object.prototype)
    expect(Object.hasOwn(nested, '__proto__')).toBe(true)
    expect(Object.getOwnPropertyDescriptor(nested, '__proto__')?.value).toEqual({ at: at('2024-02-02T00:00:00.000Z'), n: 1 })
    expect(Object.hasOwn((copy.data as typeof data).list[0], '__proto__')).toBe(true)
    expect(Object.getOwnPropertyDescriptor(copy.metadata, '__proto__')?.value).toEqual({ x: 'meta' })
    expect(await exportNdjsonText(target)).toBe(text)
  })
})

describe('NDJSON import', () => {
  it('round-trips: same ids, data, metadata with Dates, log order, streams in join order and stream order', async () => {
    const source = await seeded()
    const text = await exportNdjsonText(source)
    const target = await openTestStore()
    expect(await importNdjson(target, text)).toEqual({ events: 4, streams: 3, alreadyStored: 0 })
    const copy = await snapshot(target)
    expect(copy).toEqual(await snapshot(source))
    expect(copy.events[3]?.data).toEqual({ text: 'd', at: at('2020-01-02T03:04:05.006Z') })
    expect(copy.events[0]?.metadata.timestamp).toBeInstanceOf(Date)
    expect(copy.members).toEqual({ S1: ['a', 'd'], X: ['b', 'a'], Y: ['c', 'd'] })
  })

  it('appends after what the store already holds, when ids and streams do not clash', async () => {
    const source = await seeded()
    const target = await openTestStore()
    await target.append(notes(2), { stream: 'Other' })
    await importNdjson(target, await exportNdjsonText(source))
    expect((await target.read.toArray()).map((e) => e.eventId)).toEqual(['e1', 'e2', 'a', 'b', 'c', 'd'])
  })

  it('reports malformed, truncated and incomplete lines by number, and writes nothing', async () => {
    const good = (await exportNdjsonText(await seeded())).trimEnd().split('\n')
    const target = await openTestStore()
    const lines = [
      good[0],
      '{not json',
      JSON.stringify({ ...JSON.parse(good[1] as string), data: undefined }),
      JSON.stringify({ type: 'T', data: 1, metadata: { correlationId: 'x', timestamp: 'yesterday' } }),
      '[1,2]',
      good[2],
      (good[3] as string).slice(0, 40),
    ]
    const issues = await issuesOf(() => importNdjson(target, lines.join('\n')))
    expect(issues.map((i) => i.line)).toEqual([2, 3, 4, 4, 5, 7])
    expect(issues[0]?.message).toMatch(/not valid JSON/)
    expect(issues[1]?.message).toBe('has no "data"')
    expect(issues.slice(2, 4).map((i) => i.message)).toEqual(['has no "eventId" (a non-empty string)', 'has no "metadata.timestamp" (an ISO date)'])
    expect(issues[4]?.message).toBe('is not a JSON object')
    expect(issues[5]?.message).toMatch(/not valid JSON/)
    expect(await target.read.count()).toBe(0)
  })

  it('reports ids repeated in the file or already stored, and writes nothing', async () => {
    const text = await exportNdjsonText(await seeded())
    const lines = text.trimEnd().split('\n')
    const target = await openTestStore()
    await target.append([Noted({ text: 'mine' }, { eventId: 'c' })])
    const issues = await issuesOf(() => importNdjson(target, [...lines, lines[1]].join('\n')))
    expect(issues).toEqual([
      { line: 3, message: 'holds event "c", which this store already has' },
      { line: 5, message: 'repeats event id "b" from line 2' },
    ])
    expect((await target.read.toArray()).map((e) => e.eventId)).toEqual(['c'])
  })

  it('reports stream positions that clash, skip or start past what the store holds', async () => {
    const line = (eventId: string, streams: Array<[string, number]>) =>
      JSON.stringify({
        eventId,
        type: 'T',
        data: {},
        metadata: { correlationId: eventId, timestamp: '2024-01-01T00:00:00Z' },
        streams: streams.map(([stream, position]) => ({ stream, position })),
      })
    const target = await openTestStore()
    await target.append(notes(1), { stream: 'Taken' })
    const issues = await issuesOf(() =>
      importNdjson(target, [line('p', [['A', 0]]), line('q', [['A', 0]]), line('r', [['A', 2], ['Taken', 0]]), line('s', [['B', 1]])].join('\n')),
    )
    expect(issues).toEqual([
      { line: 2, message: 'puts an event at position 0 of stream "A", as line 1 does' },
      { line: 3, message: 'puts an event at position 2 of stream "A", but position 1 is missing' },
      { line: 3, message: 'puts an event at position 0 of stream "Taken", which already holds positions 0–0 here', code: 'stream_occupied' },
      { line: 4, message: 'puts the first event of stream "B" at position 1, but the stream starts at 0' },
    ])
    expect(await target.read.count()).toBe(1)
  })

  it('reports an order of stream positions no history could have written', async () => {
    const line = (eventId: string, streams: Array<[string, number]>) =>
      JSON.stringify({ eventId, type: 'T', data: {}, metadata: { correlationId: eventId, timestamp: '2024-01-01T00:00:00Z' }, streams: streams.map(([stream, position]) => ({ stream, position })) })
    // p joined A then B, q joined B then A, yet each is first in the stream the other joined first.
    const text = [line('p', [['A', 1], ['B', 0]]), line('q', [['B', 1], ['A', 0]])].join('\n')
    const target = await openTestStore()
    const issues = await issuesOf(() => importNdjson(target, text))
    expect(issues.length).toBeGreaterThan(0)
    expect(issues[0]?.message).toMatch(/contradicts/)
    expect(await target.read.count()).toBe(0)
  })

  it('skips blank lines, accepts CRLF and imports an empty file as nothing', async () => {
    const text = await exportNdjsonText(await seeded())
    const target = await openTestStore()
    expect(await importNdjson(target, `\r\n${text.replaceAll('\n', '\r\n')}\r\n\r\n`)).toEqual({ events: 4, streams: 3, alreadyStored: 0 })
    expect(await importNdjson(await openTestStore(), '')).toEqual({ events: 0, streams: 0, alreadyStored: 0 })
  })

  it('keeps its issues across postMessage (toJSON, reviveError)', () => {
    const error = new NdjsonImportError([{ line: 2, message: 'is not a JSON object' }])
    expect(error.message).toContain('line 2 is not a JSON object')
    const revived = reviveError(structuredClone(error.toJSON()))
    expect(revived).toBeInstanceOf(NdjsonImportError)
    expect((revived as NdjsonImportError).issues).toEqual([{ line: 2, message: 'is not a JSON object' }])
  })
})

describe('decodeLine', () => {
  it('brings the listed Dates back and refuses a path that points at no date', () => {
    const base = { eventId: 'x', type: 'T', metadata: { correlationId: 'x', timestamp: '2024-01-01T00:00:00.000Z' } }
    const ok = decodeLine(JSON.stringify({ ...base, data: { at: '2024-02-02T00:00:00.000Z' }, dates: [['data', 'at']] }), 1)
    expect(ok.ok && ok.value.event.data).toEqual({ at: at('2024-02-02T00:00:00.000Z') })
    expect(ok.ok && ok.value.event.metadata.timestamp).toEqual(at('2024-01-01T00:00:00.000Z'))
    const bad = decodeLine(JSON.stringify({ ...base, data: { at: 'soon' }, dates: [['data', 'at']] }), 1)
    expect(bad.ok).toBe(false)
  })
})
