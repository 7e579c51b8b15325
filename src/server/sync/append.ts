// The append: the one statement that stores an accepted commit, run inside the commit's
// transaction after its partition row is locked (so `head` and the stream's version cannot move
// under it). It moves the stream's version (or creates the stream), bumps the user's head, inserts
// the events and sends the head NOTIFY, all or nothing: stream positions continue the stream's
// version, partition positions continue the user's head, both gapless; `head` is bumped in the
// same transaction, so a reader that pages by partition position never skips an event that
// commits late (no sequence gap: see RECIPES.md). One statement, not five: each round trip to the
// database costs the server more than the work it asks for (bench/sync/sections/1-push.md).
// The same statement bumps the account's stored bytes; a commit that takes them past its quota is
// refused after it, and its transaction rolls back with everything the statement wrote.
import type { Queryable } from '../db/Db'
import type { EventEnvelope } from './envelope'
import { DEFAULT_STORAGE_LIMITS, eventBytesOf, overQuota, type StorageLimits } from './storable'

/** The channel that hears `${userId}:${head}` whenever a user's head moves (once committed). */
export const HEAD_CHANNEL = 'kiroku_head'

export interface Append {
  /** The partition the stream is in (its head and quota move). */
  partition: string
  /** The author's id as the app knows it, written as the events' `metadata.userId`. */
  userId: string
  /** A shared space's id, written as the events' `metadata.spaceId` (none for the personal space). */
  spaceId?: string
  clientId: string
  stream: string
  /** The stream's version before the append (-1 when it is new or empty). */
  version: number
  /** Whether the stream already has its row (a new stream is owned by its first writer). */
  exists: boolean
  events: readonly EventEnvelope[]
  recordedAt: Date
  /** The account's quota (`accountBytes`); default DEFAULT_STORAGE_LIMITS. */
  limits?: Pick<StorageLimits, 'accountBytes'>
}

// The stream's row moves only when it is still this user's at `version` (or, for a new stream,
// when nobody created it meanwhile); the head, the events and the NOTIFY follow only from that
// row, so when it does not move nothing is written and no row comes back. The events reference
// the stream row made by the same statement: foreign keys are checked at its end.
// Every parameter is cast where it is used, so each has one type however often it appears.
const MOVE_EXISTING = `UPDATE streams SET version = $4::bigint WHERE stream = $3::text AND user_id = $1::bigint AND version = $5::bigint RETURNING stream`
const CREATE_NEW = `INSERT INTO streams (stream, user_id, version) SELECT $3::text, $1::bigint, $4::bigint WHERE $5::bigint = -1 ON CONFLICT (stream) DO NOTHING RETURNING stream`
const appendSql = (moveStream: string) => `
  WITH moved AS (${moveStream}),
  partition AS (
    UPDATE partitions SET head = head + $6::int, stored_bytes = stored_bytes + $10::bigint
     WHERE user_id = $1::bigint AND EXISTS (SELECT 1 FROM moved) RETURNING head, stored_bytes
  ),
  stored AS (
    INSERT INTO events (user_id, partition_position, stream, stream_position, event_id, type, data, metadata, client_id, recorded_at)
    SELECT $1::bigint, partition.head - $6::int + e.ord, $3::text, $5::bigint + e.ord, (e.event ->> 'eventId')::uuid, e.event ->> 'type', e.event -> 'data',
           coalesce(e.event -> 'metadata', '{}'::jsonb) || jsonb_build_object('userId', $11::text, 'clientId', $2::text, 'recordedAt', $7::text)
             || CASE WHEN $12::text IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('spaceId', $12::text) END,
           $2::text, $7::text::timestamptz
    FROM partition, jsonb_array_elements($8::text::jsonb) WITH ORDINALITY AS e(event, ord)
    RETURNING 1
  )
  SELECT partition.head, partition.stored_bytes, (SELECT count(*) FROM stored) AS stored, pg_notify($9::text, $1::bigint::text || ':' || partition.head) FROM partition`
const APPEND_EXISTING = appendSql(MOVE_EXISTING)
const APPEND_NEW = appendSql(CREATE_NEW)

/** Stores the events; resolves with their stream positions and the user's new head, or with null
 * when the stream turned out to belong to another user (created by them meanwhile). Throws 413
 * `too_large` when they take the account past its quota: the caller's transaction must roll back. */
export async function appendToStream(tx: Queryable, append: Append): Promise<{ positions: number[]; head: number } | null> {
  const { partition, spaceId, userId, clientId, stream, version, events, recordedAt } = append
  const limits = append.limits ?? DEFAULT_STORAGE_LIMITS
  const bytes = events.reduce((sum, event) => sum + eventBytesOf(event, { partition, spaceId, userId, clientId, recordedAt }), 0)
  const [row] = await tx.query<{ head: string | number; stored_bytes: string | number; stored: string | number }>(append.exists ? APPEND_EXISTING : APPEND_NEW, [
    partition,
    clientId,
    stream,
    version + events.length,
    version,
    events.length,
    append.recordedAt.toISOString(),
    JSON.stringify(events),
    HEAD_CHANNEL,
    bytes,
    userId,
    spaceId ?? null,
  ])
  if (row === undefined) return null
  // Past the quota only when pushes of this account ran at once: push() refuses the others before.
  if (Number(row.stored_bytes) > limits.accountBytes) throw overQuota(Number(row.stored_bytes) - bytes, bytes, limits, 'some')
  if (Number(row.stored) !== events.length) throw new Error(`The append of ${events.length} events to ${stream} stored ${String(row.stored)}.`)
  return { positions: events.map((_, index) => version + 1 + index), head: Number(row.head) }
}
