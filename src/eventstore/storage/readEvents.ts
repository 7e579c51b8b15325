// Runs a read specification: one key range on the log or on a stream, never a scan from the
// start and never an offset, so page k costs what page 1 costs.
import type { RecordedEvent } from '../events'
import { EventNotFoundError } from '../errors'
import { eventsAt, globalPositionOf, memberships, streamRange, toRecorded } from './EventRepository'
import { request, walk } from './idb'
import { EVENTS, STREAMS, type EventRecord, type StreamRecord } from './schema'

export interface ReadSpec {
  readonly stream: string | null
  readonly types: readonly string[] | null
  readonly from: string | null
  readonly to: string | null
  readonly direction: 'forward' | 'backward'
  readonly limit: number | null
  readonly ids: readonly string[] | null
  /** Only events past this position (the global one for the log, the stream's for a stream), whichever the direction. */
  readonly after?: number | null
}

/** Exclusive key bounds: global positions for the log, stream positions for a stream. */
export interface Bounds {
  lo: number
  hi: number
}

export interface Page {
  events: RecordedEvent[]
  /** Key of the last item read, to continue from; null when nothing matched. */
  lastKey: number | null
  /** True when the range holds nothing past this page. */
  done: boolean
}

const CHUNK = 512

export async function resolveBounds(tx: IDBTransaction, spec: ReadSpec): Promise<Bounds> {
  const keyOf = async (eventId: string): Promise<number> => {
    if (spec.stream === null) return globalPositionOf(tx, eventId)
    const row = (await memberships(tx, eventId)).find((r) => r.stream === spec.stream)
    if (!row) throw new EventNotFoundError(eventId, `in stream "${spec.stream}"`)
    return row.position
  }
  const [from, to] = await Promise.all([
    spec.from === null ? null : keyOf(spec.from),
    spec.to === null ? null : keyOf(spec.to),
  ])
  const bounds = spec.direction === 'forward' ? { lo: from ?? -Infinity, hi: to ?? Infinity } : { lo: to ?? -Infinity, hi: from ?? Infinity }
  if (spec.after != null) bounds.lo = Math.max(bounds.lo, spec.after)
  return bounds
}

/** Reads up to `max` matching events inside `bounds`, in the spec's direction. */
export async function readPage(tx: IDBTransaction, spec: ReadSpec, bounds: Bounds, max: number): Promise<Page> {
  if (bounds.lo >= bounds.hi) return { events: [], lastKey: null, done: true }
  if (spec.ids) return readIds(tx, spec, bounds, max)
  const types = spec.types && new Set(spec.types)
  const keep = types ? (value: { type: string }) => types.has(value.type) : undefined
  if (spec.stream === null) {
    const store = tx.objectStore(EVENTS)
    const range = (lo: number, hi: number) => globalRange(lo, hi)
    const { values, lastKey, done } = await scan<EventRecord>(store, range, bounds, spec.direction, max, keep, (r) => r.position as number)
    return { events: values.map(toRecorded), lastKey, done }
  }
  const stream = spec.stream
  const store = tx.objectStore(STREAMS)
  const range = (lo: number, hi: number) => streamRange(stream, lo, hi)
  const { values, lastKey, done } = await scan<StreamRecord>(store, range, bounds, spec.direction, max, keep, (r) => r.position)
  return { events: await eventsAt(tx, values.map((row) => row.globalPosition)), lastKey, done }
}

/** Counts without fetching payloads where it can: a key-range count, or the stream's rows. */
export async function countMatching(tx: IDBTransaction, spec: ReadSpec, bounds: Bounds): Promise<number> {
  const max = spec.limit ?? Infinity
  if (bounds.lo >= bounds.hi) return 0
  if (!spec.ids && !spec.types) {
    const store = tx.objectStore(spec.stream === null ? EVENTS : STREAMS)
    const range = spec.stream === null ? globalRange(bounds.lo, bounds.hi) : streamRange(spec.stream, bounds.lo, bounds.hi)
    const total = await request(range ? store.count(range) : store.count())
    return Math.min(total, max)
  }
  if (spec.stream !== null && !spec.ids) {
    const types = new Set(spec.types)
    const store = tx.objectStore(STREAMS)
    const range = (lo: number, hi: number) => streamRange(spec.stream as string, lo, hi)
    const { values } = await scan<StreamRecord>(store, range, bounds, 'forward', max, (r) => types.has(r.type), (r) => r.position)
    return values.length
  }
  return (await readPage(tx, spec, bounds, max)).events.length
}

function globalRange(lo: number, hi: number): IDBKeyRange | undefined {
  if (lo === -Infinity && hi === Infinity) return undefined
  if (lo === -Infinity) return IDBKeyRange.upperBound(hi, true)
  if (hi === Infinity) return IDBKeyRange.lowerBound(lo, true)
  return IDBKeyRange.bound(lo, hi, true, true)
}

type Scan<V> = { values: V[]; lastKey: number | null; done: boolean }

async function scan<V>(
  store: IDBObjectStore,
  range: (lo: number, hi: number) => IDBKeyRange | undefined,
  bounds: Bounds,
  direction: 'forward' | 'backward',
  max: number,
  keep: ((value: V) => boolean) | undefined,
  keyOf: (value: V) => number,
): Promise<Scan<V>> {
  const values: V[] = []
  let { lo, hi } = bounds
  let lastKey: number | null = null
  for (;;) {
    const want = max - values.length
    const count = keep ? Math.max(CHUNK, Math.min(want, 4 * CHUNK)) : want
    const r = range(lo, hi)
    const chunk: V[] =
      direction === 'forward' ? await getAll<V>(store, r, count) : await getAllBackward<V>(store, r, count)
    for (const value of chunk) {
      lastKey = keyOf(value)
      if (keep && !keep(value)) continue
      values.push(value)
      if (values.length === max) return { values, lastKey, done: false }
    }
    if (chunk.length < count || count === Infinity) return { values, lastKey, done: true }
    if (direction === 'forward') lo = lastKey as number
    else hi = lastKey as number
  }
}

function getAll<V>(store: IDBObjectStore, range: IDBKeyRange | undefined, count: number): Promise<V[]> {
  return request(store.getAll(range ?? null, count === Infinity ? undefined : count) as IDBRequest<V[]>)
}

type RecordsStore = IDBObjectStore & {
  getAllRecords?: (options: { query?: IDBKeyRange | null; count?: number; direction?: IDBCursorDirection }) => IDBRequest<Array<{ value: unknown }>>
}

/** Newest first: getAllRecords where the browser has it (one request), else a reverse cursor. */
async function getAllBackward<V>(store: RecordsStore, range: IDBKeyRange | undefined, count: number): Promise<V[]> {
  if (typeof store.getAllRecords === 'function') {
    const records = await request(store.getAllRecords({ query: range ?? null, direction: 'prev', ...(count === Infinity ? {} : { count }) }))
    return records.map((r) => r.value as V)
  }
  const out: V[] = []
  await walk(store.openCursor(range ?? null, 'prev'), (cursor) => {
    out.push(cursor.value as V)
    if (out.length >= count) return false
  })
  return out
}

async function readIds(tx: IDBTransaction, spec: ReadSpec, bounds: Bounds, max: number): Promise<Page> {
  const ids = [...new Set(spec.ids)]
  const found = await Promise.all(
    ids.map(async (eventId) => {
      const record = await request(tx.objectStore(EVENTS).index('eventId').get(eventId) as IDBRequest<EventRecord | undefined>)
      if (!record) return null
      if (spec.stream === null) return { key: record.position as number, record }
      const row = (await memberships(tx, eventId)).find((r) => r.stream === spec.stream)
      return row ? { key: row.position, record } : null
    }),
  )
  const types = spec.types && new Set(spec.types)
  const sign = spec.direction === 'forward' ? 1 : -1
  const hits = found
    .filter((hit): hit is { key: number; record: EventRecord } => hit !== null)
    .filter((hit) => hit.key > bounds.lo && hit.key < bounds.hi && (!types || types.has(hit.record.type)))
    .sort((a, b) => sign * (a.key - b.key))
  const page = hits.slice(0, max)
  return { events: page.map((hit) => toRecorded(hit.record)), lastKey: page.at(-1)?.key ?? null, done: hits.length <= max }
}
