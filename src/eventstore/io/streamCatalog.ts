// What streams exist and who is in them, for tools that look at the whole store (the devtools,
// NDJSON export). Reads only keys where it can, one short read-only transaction per call.
import type { EventStore } from '../client'
import { StoreClosedError } from '../errors'
import { attempt, EVENTS, eventTypes, memberships, request, runTransaction, STREAMS, streamVersion, walk } from '../storage'

export interface StreamInfo {
  stream: string
  /** Its last position: the stream holds `version + 1` events. */
  version: number
}

export interface StreamPosition {
  stream: string
  position: number
}

export interface ListStreamsOptions {
  /** Only streams whose name starts with this (e.g. `Cart$`). */
  prefix?: string
  /** Continue after this stream name (the last one of the previous page). */
  after?: string
  /** At most this many streams; 100 by default. */
  limit?: number
}

/**
 * Streams in name order, with their versions. A key cursor steps once per stream, jumping over
 * the rest of its positions, so a page costs what its streams cost, not what they hold.
 */
export function listStreams(store: EventStore, options: ListStreamsOptions = {}): Promise<StreamInfo[]> {
  const { prefix = '', after, limit = 100 } = options
  const start = after !== undefined && after >= prefix ? IDBKeyRange.lowerBound([after, Infinity], true) : IDBKeyRange.lowerBound([prefix, -Infinity])
  return read(store, async (tx) => {
    const names: string[] = []
    await walk(tx.objectStore(STREAMS).openKeyCursor(start, 'next'), (cursor) => {
      const stream = (cursor.key as [string, number])[0]
      if (typeof stream !== 'string' || !stream.startsWith(prefix)) return false
      names.push(stream)
      if (names.length >= limit) return false
      // Every key of this stream sorts below [stream, Infinity]: one step lands on the next stream.
      return [stream, Infinity]
    })
    const versions = await Promise.all(names.map((stream) => streamVersion(tx, stream)))
    return names.map((stream, i) => ({ stream, version: versions[i] as number }))
  })
}

/** The event types present in the log, in name order: a key step per type on the log's type index. */
export function listEventTypes(store: EventStore): Promise<string[]> {
  return read(store, eventTypes)
}

/** How many streams there are (a key cursor step per stream). */
export function countStreams(store: EventStore): Promise<number> {
  return read(store, async (tx) => {
    let count = 0
    await walk(tx.objectStore(STREAMS).openKeyCursor(), (cursor) => {
      count += 1
      return [(cursor.key as [string, number])[0], Infinity]
    })
    return count
  })
}

/**
 * The streams each event is in, with its position in each, in the order it joined them: like
 * `streamsOf` + `positionInStream` for many events in one transaction. Unknown ids map to [].
 */
export function membershipsOf(store: EventStore, eventIds: readonly string[]): Promise<Map<string, StreamPosition[]>> {
  return read(store, async (tx) => {
    const rows = await Promise.all(eventIds.map((eventId) => memberships(tx, eventId)))
    return new Map(
      eventIds.map((eventId, i) => [
        eventId,
        (rows[i] ?? []).sort((a, b) => a.joinOrder - b.joinOrder).map(({ stream, position }) => ({ stream, position })),
      ]),
    )
  })
}

/** Each stream's version (-1 when empty), in one transaction. */
export function streamVersions(store: EventStore, streams: readonly string[]): Promise<Map<string, number>> {
  return read(store, async (tx) => {
    const versions = await Promise.all(streams.map((stream) => streamVersion(tx, stream)))
    return new Map(streams.map((stream, i) => [stream, versions[i] as number]))
  })
}

/** Whether each id is already stored, in one transaction: the unique eventId index, keys only. */
export function storedIds(store: EventStore, eventIds: readonly string[]): Promise<Set<string>> {
  return read(store, async (tx) => {
    const index = tx.objectStore(EVENTS).index('eventId')
    const keys = await Promise.all(eventIds.map((eventId) => attempt(() => request(index.getKey(eventId)))))
    return new Set(eventIds.filter((_, i) => keys[i] !== undefined))
  })
}

function read<T>(store: EventStore, body: (tx: IDBTransaction) => Promise<T>): Promise<T> {
  if (!store.db.isOpen()) return Promise.reject(new StoreClosedError())
  return runTransaction(store.db.backendDB(), [EVENTS, STREAMS], 'readonly', 'default', body)
}
