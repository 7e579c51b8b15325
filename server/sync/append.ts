// The append: the statements that store one accepted commit, run inside the commit's transaction
// after its partition row is locked (so `head` and the stream's version cannot move under it).
// Stream positions continue the stream's version, partition positions continue the user's head,
// both gapless; `head` is bumped in the same transaction, so a reader that pages by partition
// position never skips an event that commits late (no sequence gap: see RECIPES.md).
import type { Queryable } from '../db/Db'
import type { EventEnvelope } from './envelope'

/** The channel that hears `${userId}:${head}` whenever a user's head moves (once committed). */
export const HEAD_CHANNEL = 'kiroku_head'

export interface Append {
  userId: string
  clientId: string
  stream: string
  /** The stream's version before the append (-1 when it is new or empty). */
  version: number
  /** Whether the stream already has its row (a new stream is owned by its first writer). */
  exists: boolean
  events: readonly EventEnvelope[]
  recordedAt: Date
}

/** Stores the events; resolves with their stream positions and the user's new head, or with null
 * when the stream turned out to belong to another user (created by them meanwhile). */
export async function appendToStream(tx: Queryable, append: Append): Promise<{ positions: number[]; head: number } | null> {
  const { userId, clientId, stream, version, events } = append
  const newVersion = version + events.length
  const owned = append.exists
    ? await tx.query('UPDATE streams SET version = $3 WHERE stream = $1 AND user_id = $2 AND version = $4 RETURNING version', [stream, userId, newVersion, version])
    : await tx.query('INSERT INTO streams (stream, user_id, version) VALUES ($1, $2, $3) ON CONFLICT (stream) DO NOTHING RETURNING version', [stream, userId, newVersion])
  if (owned.length === 0) return null

  const [partition] = await tx.query<{ head: string | number }>('UPDATE partitions SET head = head + $2 WHERE user_id = $1 RETURNING head', [userId, events.length])
  const head = Number(partition?.head)
  const first = head - events.length
  const recordedAt = append.recordedAt.toISOString()
  // The server's own metadata overwrites the client's under those names; the rest is kept.
  await tx.query(
    `INSERT INTO events (user_id, partition_position, stream, stream_position, event_id, type, data, metadata, client_id, recorded_at)
     SELECT $1, $2 + e.ord, $3, $4 + e.ord, (e.event ->> 'eventId')::uuid, e.event ->> 'type', e.event -> 'data',
            coalesce(e.event -> 'metadata', '{}'::jsonb) || jsonb_build_object('userId', $8::text, 'clientId', $5::text, 'recordedAt', $6::text),
            $5, $6::timestamptz
     FROM jsonb_array_elements($7::text::jsonb) WITH ORDINALITY AS e(event, ord)`,
    [userId, first, stream, version, clientId, recordedAt, JSON.stringify(events), userId],
  )
  // Inside the transaction: listeners hear it only once the events are committed.
  await tx.query('SELECT pg_notify($1, $2)', [HEAD_CHANNEL, `${userId}:${head}`])
  return { positions: events.map((_, index) => version + 1 + index), head }
}
