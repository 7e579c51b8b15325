// The log as NDJSON: one JSON object per line, one line per event, in global order, with the
// streams it is in and its position in each. JSON has no dates, so Dates are written as ISO
// strings and the line lists where they were (`dates`), to bring them back as Dates on import.
import type { NewEvent, RecordedEvent } from '../events'
import { EventStoreError, StoreClosedError } from '../errors'
import { eachStreamRow, EVENTS, lastGlobalPosition, runTransaction, type StreamRecord, STREAMS } from '../storage'
import type { EventStore } from '../client'
import type { StreamPosition } from './streamCatalog'

/** A path into a line: ['metadata', 'timestamp'], ['data', 'items', 0, 'at']. */
export type ValuePath = ReadonlyArray<string | number>

/** What one line holds. */
export interface NdjsonEvent {
  eventId: string
  type: string
  /** Where it was in the exported log; import appends after what the store holds. */
  globalPosition?: number
  /** In the order the event joined them. */
  streams: StreamPosition[]
  metadata: Record<string, unknown>
  data: unknown
  /** Paths of the values that were Dates. */
  dates?: ValuePath[]
}

/** One line, decoded and checked on its own (the store's checks come later). */
export interface DecodedLine {
  line: number
  event: NewEvent
  streams: StreamPosition[]
}

export type DecodeResult = { ok: true; value: DecodedLine } | { ok: false; problems: string[] }

/** The line for one event (no trailing newline). */
export function encodeEvent(event: RecordedEvent, streams: readonly StreamPosition[]): string {
  const dates: ValuePath[] = []
  const line: NdjsonEvent = {
    eventId: event.eventId,
    type: event.type,
    globalPosition: event.globalPosition,
    streams: streams.map(({ stream, position }) => ({ stream, position })),
    metadata: toJsonValue(event.metadata, ['metadata'], dates, new Set(), event) as Record<string, unknown>,
    data: toJsonValue(event.data, ['data'], dates, new Set(), event),
  }
  if (dates.length) line.dates = dates
  return JSON.stringify(line)
}

/**
 * The whole log, oldest first, as NDJSON chunks (many lines each, each line ending in '\n'): the
 * log as it was when the export began, however the app writes meanwhile, so the file always imports.
 */
export async function* exportNdjson(store: EventStore, options: { batchSize?: number } = {}): AsyncGenerator<string, void, undefined> {
  const view = await readView(store)
  for await (const batch of store.read.inBatches(options.batchSize ?? 1000)) {
    const events = batch.filter((event) => event.globalPosition <= view.head)
    if (events.length) yield events.map((event) => `${encodeEvent(event, view.streamsOf(event.globalPosition))}\n`).join('')
    if (events.length < batch.length) return
  }
}

/** What an export writes, fixed at its start. */
interface LogView {
  /** The log's last position then; events after it are left out. */
  head: number
  /** An event's streams then, in the order it joined them. */
  streamsOf(globalPosition: number): StreamPosition[]
}

/**
 * One read-only transaction fixes the view: the log's head and every stream membership (small
 * rows, no payloads). The log rows themselves are never rewritten or deleted, so reading them
 * later, batch by batch in short transactions, gives what they were then: a stream deleted and
 * refilled between two batches cannot put two events at one position of the file.
 */
function readView(store: EventStore): Promise<LogView> {
  if (!store.db.isOpen()) return Promise.reject(new StoreClosedError())
  return runTransaction(store.db.backendDB(), [EVENTS, STREAMS], 'readonly', 'default', async (tx) => {
    const rows = new Map<number, StreamRecord[]>()
    const [head] = await Promise.all([
      lastGlobalPosition(tx),
      eachStreamRow(tx, (row) => {
        const list = rows.get(row.globalPosition)
        if (list) list.push(row)
        else rows.set(row.globalPosition, [row])
      }),
    ])
    return {
      head,
      streamsOf: (globalPosition) =>
        (rows.get(globalPosition) ?? []).sort((a, b) => a.joinOrder - b.joinOrder).map(({ stream, position }) => ({ stream, position })),
    }
  })
}

/** The whole log as one NDJSON string (for small logs and tests; prefer the chunks for big ones). */
export async function exportNdjsonText(store: EventStore, options: { batchSize?: number } = {}): Promise<string> {
  let text = ''
  for await (const chunk of exportNdjson(store, options)) text += chunk
  return text
}

/** Parses and checks one line; `line` is its 1-based number, for the report. */
export function decodeLine(text: string, line: number): DecodeResult {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    return { ok: false, problems: [`is not valid JSON (${(error as Error).message})`] }
  }
  if (!isRecord(parsed)) return { ok: false, problems: ['is not a JSON object'] }
  const problems: string[] = []
  const { eventId, type, metadata, streams = [], dates = [] } = parsed
  if (!nonEmpty(eventId)) problems.push('has no "eventId" (a non-empty string)')
  if (!nonEmpty(type)) problems.push('has no "type" (a non-empty string)')
  if (!('data' in parsed)) problems.push('has no "data"')
  if (!isRecord(metadata)) problems.push('has no "metadata" object')
  else {
    if (!nonEmpty(metadata.correlationId)) problems.push('has no "metadata.correlationId" (a non-empty string)')
    if (!isDateText(metadata.timestamp)) problems.push('has no "metadata.timestamp" (an ISO date)')
    if ('validAt' in metadata && !isDateText(metadata.validAt)) problems.push('has a "metadata.validAt" that is not an ISO date')
    if ('causationId' in metadata && !nonEmpty(metadata.causationId)) problems.push('has a "metadata.causationId" that is not a non-empty string')
  }
  problems.push(...checkStreams(streams), ...checkDates(dates, parsed))
  if (problems.length) return { ok: false, problems }
  const meta = metadata as Record<string, unknown>
  for (const path of dates as ValuePath[]) setAt(parsed, path, new Date(getAt(parsed, path) as string))
  meta.timestamp = new Date(meta.timestamp as string)
  if ('validAt' in meta) meta.validAt = new Date(meta.validAt as string)
  const event: NewEvent = { eventId: eventId as string, type: type as string, data: parsed.data, metadata: meta }
  return { ok: true, value: { line, event, streams: (streams as StreamPosition[]).map(({ stream, position }) => ({ stream, position })) } }
}

function checkStreams(streams: unknown): string[] {
  if (!Array.isArray(streams)) return ['has "streams" that is not a list']
  const seen = new Set<string>()
  const problems: string[] = []
  for (const entry of streams) {
    if (!isRecord(entry) || !nonEmpty(entry.stream) || !Number.isSafeInteger(entry.position) || (entry.position as number) < 0) {
      problems.push('has a "streams" entry that is not { "stream": a non-empty string, "position": a whole number ≥ 0 }')
    } else if (seen.has(entry.stream)) problems.push(`lists stream "${entry.stream}" twice`)
    else seen.add(entry.stream)
  }
  return problems
}

function checkDates(dates: unknown, line: Record<string, unknown>): string[] {
  if (!Array.isArray(dates)) return ['has "dates" that is not a list of paths']
  const bad = dates.filter(
    (path) =>
      !Array.isArray(path) ||
      (path[0] !== 'data' && path[0] !== 'metadata') ||
      !path.every((key) => typeof key === 'string' || Number.isSafeInteger(key)) ||
      !isDateText(getAt(line, path)),
  )
  return bad.length ? [`has "dates" entries that point at no ISO date: ${bad.map((path) => JSON.stringify(path)).join(', ')}`] : []
}

function toJsonValue(value: unknown, path: ValuePath, dates: ValuePath[], ancestors: Set<object>, event: RecordedEvent): unknown {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return null
    dates.push(path)
    return value.toISOString()
  }
  if (typeof value === 'bigint') return value.toString()
  if (value === null || typeof value !== 'object') return value
  if (ancestors.has(value)) throw new EventStoreError(`Event ${event.eventId} holds a circular structure, which JSON cannot write. Nothing was exported.`, { eventId: event.eventId })
  ancestors.add(value)
  try {
    if (Array.isArray(value)) return value.map((item, i) => toJsonValue(item, [...path, i], dates, ancestors, event))
    const out: Record<string, unknown> = {}
    for (const [key, item] of Object.entries(value)) defineOwn(out, key, toJsonValue(item, [...path, key], dates, ancestors, event))
    return out
  } finally {
    ancestors.delete(value)
  }
}

const isRecord = (value: unknown): value is Record<string, any> => typeof value === 'object' && value !== null && !Array.isArray(value)
const nonEmpty = (value: unknown): value is string => typeof value === 'string' && value.length > 0
const isDateText = (value: unknown): value is string => typeof value === 'string' && !Number.isNaN(new Date(value).getTime())

function getAt(root: unknown, path: ValuePath): unknown {
  let node: any = root
  for (const key of path) {
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, key)) return undefined
    node = node[key]
  }
  return node
}

function setAt(root: unknown, path: ValuePath, value: unknown): void {
  defineOwn(getAt(root, path.slice(0, -1)) as object, path[path.length - 1] as PropertyKey, value)
}

/** Defined, not assigned: an own key "__proto__" stays a plain own property instead of setting the prototype. */
function defineOwn(target: object, key: PropertyKey, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
}
