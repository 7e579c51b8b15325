// Runs a read specification: one key range on the log, on one of its indexes (by type, by
// correlation id) or on a stream, never a scan from the start and never an offset, so page k
// costs what page 1 costs, and a filter on a rare type or one correlation reads only its matches.
import type { RecordedEvent } from '../events'
import { EventNotFoundError } from '../errors'
import { eventsAt, globalPositionOf, memberships, streamRange, toRecorded } from './EventRepository'
import { request, walk } from './idb'
import { BY_CORRELATION, BY_TYPE, EVENTS, STREAMS, type EventRecord, type StreamRecord } from './schema'

export interface ReadSpec {
  readonly stream: string | null
  readonly types: readonly string[] | null
  readonly from: string | null
  readonly to: string | null
  readonly direction: 'forward' | 'backward'
  readonly limit: number | null
  readonly ids: readonly string[] | null
  /** Only events with this `metadata.correlationId`. */
  readonly correlationId?: string | null
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
  const correlation = spec.correlationId ?? null
  if (spec.stream === null) {
    const position = (r: EventRecord) => r.position as number
    // One correlation is few events: its range, checking the type. Else each type's range, merged.
    if (correlation !== null) {
      const keep = types ? (r: EventRecord) => types.has(r.type) : undefined
      const { values, lastKey, done } = await scan(byKey(tx, BY_CORRELATION, correlation), bounds, spec.direction, max, keep, position)
      return { events: values.map(toRecorded), lastKey, done }
    }
    if (types) return mergeTypes(tx, [...types], bounds, spec.direction, max)
    const range = { source: tx.objectStore(EVENTS), range: globalRange }
    const { values, lastKey, done } = await scan<EventRecord>(range, bounds, spec.direction, max, undefined, position)
    return { events: values.map(toRecorded), lastKey, done }
  }
  const stream = spec.stream
  // A stream's rows carry the type; a correlation id is checked against its events' positions,
  // read as keys from the index (no payloads), so rows of the stream outside it cost no event read.
  const inCorrelation = correlation === null ? null : new Set(await correlationPositions(tx, correlation))
  const keep =
    types || inCorrelation
      ? (row: StreamRecord) => (!types || types.has(row.type)) && (!inCorrelation || inCorrelation.has(row.globalPosition))
      : undefined
  const range = { source: tx.objectStore(STREAMS), range: (lo: number, hi: number) => streamRange(stream, lo, hi) }
  const { values, lastKey, done } = await scan<StreamRecord>(range, bounds, spec.direction, max, keep, (r) => r.position)
  return { events: await eventsAt(tx, values.map((row) => row.globalPosition)), lastKey, done }
}

/** The newest (or oldest) `max` events of any of these types: each type's index range, merged by position. */
async function mergeTypes(tx: IDBTransaction, types: string[], bounds: Bounds, direction: 'forward' | 'backward', max: number): Promise<Page> {
  const pages = await Promise.all(types.map((type) => scan<EventRecord>(byKey(tx, BY_TYPE, type), bounds, direction, max, undefined, (r) => r.position as number)))
  if (pages.length === 1) {
    const { values, lastKey, done } = pages[0] as Scan<EventRecord>
    return { events: values.map(toRecorded), lastKey, done }
  }
  const sign = direction === 'forward' ? 1 : -1
  const all = pages.flatMap((page) => page.values).sort((a, b) => sign * ((a.position as number) - (b.position as number)))
  const page = all.slice(0, max)
  // Whatever a type left unread lies past its own last match, so past this page's last one too.
  const done = all.length <= max && pages.every((p) => p.done)
  return { events: page.map(toRecorded), lastKey: (page.at(-1)?.position as number | undefined) ?? null, done }
}

/** A key range over one value of a compound `[value+position]` index: positions between lo and hi, both excluded. */
function byKey(tx: IDBTransaction, index: string, value: string): Ranged {
  return { source: tx.objectStore(EVENTS).index(index), range: (lo, hi) => IDBKeyRange.bound([value, lo], [value, hi], lo !== -Infinity, hi !== Infinity) }
}

/** The global positions of one correlation's events, keys only. */
function correlationPositions(tx: IDBTransaction, correlationId: string): Promise<number[]> {
  const { source, range } = byKey(tx, BY_CORRELATION, correlationId)
  return request(source.getAllKeys(range(-Infinity, Infinity)) as IDBRequest<number[]>)
}

/** Counts without fetching payloads where it can: a key-range count, or the stream's rows. */
export async function countMatching(tx: IDBTransaction, spec: ReadSpec, bounds: Bounds): Promise<number> {
  const max = spec.limit ?? Infinity
  if (bounds.lo >= bounds.hi) return 0
  const correlation = spec.correlationId ?? null
  if (!spec.ids && spec.stream === null && (correlation !== null) !== (spec.types !== null)) {
    // Index ranges counted by key: the correlation's, or each type's.
    const ranges = correlation !== null ? [byKey(tx, BY_CORRELATION, correlation)] : [...new Set(spec.types)].map((type) => byKey(tx, BY_TYPE, type))
    const counts = await Promise.all(ranges.map(({ source, range }) => request(source.count(range(bounds.lo, bounds.hi)))))
    return Math.min(
      counts.reduce((sum, n) => sum + n, 0),
      max,
    )
  }
  if (!spec.ids && !spec.types && correlation === null) {
    const store = tx.objectStore(spec.stream === null ? EVENTS : STREAMS)
    const range = spec.stream === null ? globalRange(bounds.lo, bounds.hi) : streamRange(spec.stream, bounds.lo, bounds.hi)
    const total = await request(range ? store.count(range) : store.count())
    return Math.min(total, max)
  }
  if (spec.stream !== null && !spec.ids && correlation === null) {
    const types = new Set(spec.types)
    const range = { source: tx.objectStore(STREAMS), range: (lo: number, hi: number) => streamRange(spec.stream as string, lo, hi) }
    const { values } = await scan<StreamRecord>(range, bounds, 'forward', max, (r) => types.has(r.type), (r) => r.position)
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

/** Where a scan reads: a store or an index, and its key range for exclusive position bounds. */
interface Ranged {
  source: IDBObjectStore | IDBIndex
  range: (lo: number, hi: number) => IDBKeyRange | undefined
}

async function scan<V>(
  { source, range }: Ranged,
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
      direction === 'forward' ? await getAll<V>(source, r, count) : await getAllBackward<V>(source, r, count)
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

function getAll<V>(store: IDBObjectStore | IDBIndex, range: IDBKeyRange | undefined, count: number): Promise<V[]> {
  return request(store.getAll(range ?? null, count === Infinity ? undefined : count) as IDBRequest<V[]>)
}

type RecordsStore = (IDBObjectStore | IDBIndex) & {
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
  const correlation = spec.correlationId ?? null
  const sign = spec.direction === 'forward' ? 1 : -1
  const hits = found
    .filter((hit): hit is { key: number; record: EventRecord } => hit !== null)
    .filter((hit) => hit.key > bounds.lo && hit.key < bounds.hi && (!types || types.has(hit.record.type)))
    .filter((hit) => correlation === null || hit.record.metadata.correlationId === correlation)
    .sort((a, b) => sign * (a.key - b.key))
  const page = hits.slice(0, max)
  return { events: page.map((hit) => toRecorded(hit.record)), lastKey: page.at(-1)?.key ?? null, done: hits.length <= max }
}
