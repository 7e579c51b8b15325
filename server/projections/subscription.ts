// What a server subscription is and what it is handed: all users' stored events, as rows of the
// events table read in commit order.

import type { Queryable } from '../db/Db'

export interface StoredEvent {
  globalPosition: number
  /** The writing transaction's id (xid8, as text: it can exceed 2^53). */
  transactionId: string
  userId: string
  stream: string
  streamPosition: number
  eventId: string
  type: string
  data: unknown
  metadata: Record<string, unknown>
  /** When the server stored it: the time of record (the client's metadata.timestamp is only its claim). */
  recordedAt: Date
}

export interface Subscription {
  /** The checkpoint's name: one per read model, stable across restarts. */
  name: string
  /** Events per transaction (default 100). */
  batchSize?: number
  /**
   * Applies a batch to the read model through `tx`; the checkpoint moves in the same transaction.
   * A batch that throws is applied again one event at a time, and an event that throws on its own
   * is parked (see parkedEvents.ts), unless the error says the database is unavailable.
   */
  handle(events: readonly StoredEvent[], tx: Queryable): Promise<void>
}

/** The events table's columns as toStoredEvent reads them (prefix `e.` where tables are joined). */
export const EVENT_COLUMNS =
  'e.global_position, e.transaction_id::text AS transaction_id, e.user_id, e.stream, e.stream_position, e.event_id, e.type, e.data, e.metadata, e.recorded_at'

export type EventRow = {
  global_position: string | number
  transaction_id: string
  user_id: string | number
  stream: string
  stream_position: string | number
  event_id: string
  type: string
  data: unknown
  metadata: Record<string, unknown> | null
  recorded_at: Date | string
}

export function toStoredEvent(row: EventRow): StoredEvent {
  return {
    globalPosition: Number(row.global_position),
    transactionId: row.transaction_id,
    userId: String(row.user_id),
    stream: row.stream,
    streamPosition: Number(row.stream_position),
    eventId: row.event_id,
    type: row.type,
    data: row.data,
    metadata: row.metadata ?? {},
    recordedAt: row.recorded_at instanceof Date ? row.recorded_at : new Date(row.recorded_at),
  }
}
