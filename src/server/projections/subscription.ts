// What a server subscription is and what it is handed: all users' stored events, as rows of the
// events table read in commit order.

import type { Queryable } from '../db/Db'
import type { AppMigration } from '../db/migrate'

export interface StoredEvent {
  globalPosition: number
  /** The writing transaction's id (xid8, as text: it can exceed 2^53). */
  transactionId: string
  /** The partition it is in: one account's own (a read model keyed by it serves that account's routes). */
  partition: string
  /** Its author: the user id as the app knows it (`metadata.userId`). */
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
  /**
   * The tables it owns, made and changed by these migrations, applied in order once each at start
   * (after the server's own), each named uniquely and never edited once released.
   */
  migrations?: readonly AppMigration[]
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
    partition: String(row.user_id),
    userId: typeof row.metadata?.userId === 'string' ? row.metadata.userId : String(row.user_id),
    stream: row.stream,
    streamPosition: Number(row.stream_position),
    eventId: row.event_id,
    type: row.type,
    data: row.data,
    metadata: row.metadata ?? {},
    recordedAt: row.recorded_at instanceof Date ? row.recorded_at : new Date(row.recorded_at),
  }
}
