// Storage of the global log and stream membership, on raw IndexedDB requests inside a
// transaction someone else opened. Every write path checks before it keeps: a failure throws,
// and whoever owns the transaction aborts it, so nothing of a failed call stays.
import type { RecordedEvent } from '../events'
import {
  EventDuplicatedInStreamError,
  EventNotFoundError,
  EventNotFoundInStreamError,
  InvalidEventDataError,
  StreamTruncationError,
} from '../errors'
import { assertVersion, type ExpectedVersion } from './ExpectedVersion'
import { WriteFailure, addAll, attempt, request } from './idb'
import { EVENTS, SNAPSHOTS, STREAMS, type EventRecord, type StreamRecord } from './schema'

export const toRecorded = (record: EventRecord): RecordedEvent => ({
  eventId: record.eventId,
  type: record.type,
  data: record.data,
  metadata: record.metadata,
  globalPosition: record.position as number,
})

export const streamRange = (stream: string, after = -Infinity, before = Infinity): IDBKeyRange =>
  IDBKeyRange.bound([stream, after], [stream, before], after !== -Infinity, before !== Infinity)

/** The stream's last position, -1 when it is empty: one step of a reverse key cursor. */
export function streamVersion(tx: IDBTransaction, stream: string): Promise<number> {
  const req = tx.objectStore(STREAMS).openKeyCursor(streamRange(stream), 'prev')
  return request(req).then((cursor) => (cursor ? ((cursor.key as [string, number])[1] ?? -1) : -1))
}

export async function appendRecords(
  tx: IDBTransaction,
  records: EventRecord[],
  stream: string | null,
  expected: ExpectedVersion,
): Promise<RecordedEvent[]> {
  // Ask for the version and send the writes together; a wrong version aborts them all.
  const version = stream === null ? Promise.resolve(-1) : streamVersion(tx, stream)
  // Awaited below; marked handled now in case the next line throws (the transaction already ended).
  version.catch(() => undefined)
  const keys = attempt(() => addAll(tx.objectStore(EVENTS), records))
  keys.catch(() => undefined)
  const current = await version
  if (stream !== null) assertVersion(stream, expected, current)
  const positions = await keys.catch((failure: unknown) => {
    throw writeError(failure, records, stream)
  })
  const recorded = records.map((record, i) => {
    record.position = positions[i] as number
    return toRecorded(record)
  })
  if (stream !== null) {
    const rows: StreamRecord[] = recorded.map((event, i) => ({
      stream,
      position: current + 1 + i,
      eventId: event.eventId,
      globalPosition: event.globalPosition,
      type: event.type,
      joinOrder: 0,
    }))
    await addAll(tx.objectStore(STREAMS), rows)
  }
  return recorded
}

export async function linkEvents(
  tx: IDBTransaction,
  eventIds: readonly string[],
  stream: string,
  expected: ExpectedVersion,
): Promise<void> {
  const version = streamVersion(tx, stream)
  version.catch(() => undefined)
  const found = await Promise.all(
    eventIds.map((eventId) =>
      Promise.all([
        attempt(() => request(tx.objectStore(EVENTS).index('eventId').get(eventId) as IDBRequest<EventRecord | undefined>)),
        attempt(() => memberships(tx, eventId)),
      ]),
    ),
  )
  const current = await version
  const rows = found.map(([record, rows], i): StreamRecord => {
    const eventId = eventIds[i] as string
    if (!record) throw new EventNotFoundError(eventId)
    if (rows.some((row) => row.stream === stream)) throw new EventDuplicatedInStreamError(eventId, stream)
    return {
      stream,
      position: current + 1 + i,
      eventId,
      globalPosition: record.position as number,
      type: record.type,
      joinOrder: rows.reduce((max, row) => Math.max(max, row.joinOrder + 1), 0),
    }
  })
  assertVersion(stream, expected, current)
  await addAll(tx.objectStore(STREAMS), rows)
}

/**
 * Drops the stream's rows and its snapshot, together: a snapshot outliving its stream would be
 * restored over a refilled stream whose event at the snapshot's position happens to match again.
 */
export function deleteStream(tx: IDBTransaction, stream: string): Promise<void> {
  const rows = request(tx.objectStore(STREAMS).delete(streamRange(stream)))
  const snapshot = request(tx.objectStore(SNAPSHOTS).delete(stream))
  return Promise.all([rows, snapshot]).then(() => undefined)
}

/**
 * Takes the stream's events after `after` out of the log altogether (their log rows, their stream
 * rows) with the stream's snapshot, and returns them in stream order. An event that is also linked
 * into another stream is refused (StreamTruncationError): taking it out would leave a hole there.
 */
export async function truncateStream(tx: IDBTransaction, stream: string, after: number): Promise<RecordedEvent[]> {
  const rows = await request(tx.objectStore(STREAMS).getAll(streamRange(stream, after)) as IDBRequest<StreamRecord[]>)
  if (rows.length === 0) return []
  const links = await Promise.all(rows.map((row) => memberships(tx, row.eventId)))
  const linked = links.findIndex((found) => found.some((other) => other.stream !== stream))
  if (linked !== -1) throw new StreamTruncationError(stream, (rows[linked] as StreamRecord).eventId)
  const removed = await eventsAt(tx, rows.map((row) => row.globalPosition))
  const events = tx.objectStore(EVENTS)
  await Promise.all([
    ...rows.map((row) => request(events.delete(row.globalPosition))),
    request(tx.objectStore(STREAMS).delete(streamRange(stream, after))),
    request(tx.objectStore(SNAPSHOTS).delete(stream)),
  ])
  return removed
}

/** The log's last global position, 0 when it is empty: one step of a reverse key cursor. */
export function lastGlobalPosition(tx: IDBTransaction): Promise<number> {
  return request(tx.objectStore(EVENTS).openKeyCursor(null, 'prev')).then((cursor) => (cursor ? (cursor.key as number) : 0))
}

/** Visits every stream row in key order, a getAll of `pageSize` rows at a time, all inside `tx`. */
export async function eachStreamRow(tx: IDBTransaction, visit: (row: StreamRecord) => void, pageSize = 10_000): Promise<void> {
  const store = tx.objectStore(STREAMS)
  for (let after: IDBKeyRange | null = null; ; ) {
    const rows = await request(store.getAll(after, pageSize) as IDBRequest<StreamRecord[]>)
    for (const row of rows) visit(row)
    const last = rows[rows.length - 1]
    if (!last || rows.length < pageSize) return
    after = IDBKeyRange.lowerBound([last.stream, last.position], true)
  }
}

export function memberships(tx: IDBTransaction, eventId: string): Promise<StreamRecord[]> {
  return request(tx.objectStore(STREAMS).index('eventId').getAll(eventId) as IDBRequest<StreamRecord[]>)
}

export async function streamsOf(tx: IDBTransaction, eventId: string): Promise<string[]> {
  const rows = await memberships(tx, eventId)
  return rows.sort((a, b) => a.joinOrder - b.joinOrder).map((row) => row.stream)
}

export async function positionInStream(tx: IDBTransaction, eventId: string, stream: string): Promise<number> {
  const row = (await memberships(tx, eventId)).find((r) => r.stream === stream)
  if (!row) throw new EventNotFoundInStreamError(eventId, stream)
  return row.position
}

export async function globalPositionOf(tx: IDBTransaction, eventId: string): Promise<number> {
  const key = await request(tx.objectStore(EVENTS).index('eventId').getKey(eventId))
  if (key === undefined) throw new EventNotFoundError(eventId)
  return key as number
}

export async function eventById(tx: IDBTransaction, eventId: string): Promise<RecordedEvent | undefined> {
  const record = await request(tx.objectStore(EVENTS).index('eventId').get(eventId) as IDBRequest<EventRecord | undefined>)
  return record && toRecorded(record)
}

/** Fetches log rows by global position, all requests in flight at once; resolves in the given order. */
export function eventsAt(tx: IDBTransaction, positions: readonly number[]): Promise<RecordedEvent[]> {
  return new Promise((resolve, reject) => {
    const out: RecordedEvent[] = new Array(positions.length)
    let left = positions.length
    if (left === 0) return resolve(out)
    const store = tx.objectStore(EVENTS)
    positions.forEach((position, i) => {
      const req = store.get(position) as IDBRequest<EventRecord | undefined>
      req.onsuccess = () => {
        if (!req.result) return reject(new EventNotFoundError(`#${position}`, 'in the log although a stream points at it'))
        out[i] = toRecorded(req.result)
        if (--left === 0) resolve(out)
      }
      req.onerror = () => reject(req.error)
    })
  })
}

function writeError(failure: unknown, records: EventRecord[], stream: string | null): unknown {
  if (!(failure instanceof WriteFailure)) return failure
  const record = records[failure.index]
  const name = failure.error?.name
  if (name === 'ConstraintError' && record) return new EventDuplicatedInStreamError(record.eventId, stream)
  if (name === 'DataCloneError') {
    return new InvalidEventDataError(record?.type, 'its data or metadata holds something IndexedDB cannot store (a function, a symbol, a DOM node…)', [], { cause: failure.error })
  }
  return failure.error
}
