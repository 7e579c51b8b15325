// Pull: the use case behind `GET /api/sync/pull`. A page of the user's own events in partition
// order; positions are gapless per user, so `after` is a safe cursor.
import type { Db } from '../db/Db'
import { parsePullQuery } from './envelope'
import { headOf } from './push'

export interface PulledEvent {
  position: number
  stream: string
  streamPosition: number
  eventId: string
  type: string
  data: unknown
  metadata: Record<string, unknown>
}

export interface PullResult {
  events: PulledEvent[]
  head: number
  hasMore: boolean
}

type EventRow = {
  partition_position: string | number
  stream: string
  stream_position: string | number
  event_id: string
  type: string
  data: unknown
  metadata: Record<string, unknown>
}

/** The user's events after `after` (at most `limit`, see parsePullQuery); throws an `invalid`
 * ProtocolError for a malformed query. */
export async function pull(db: Db, userId: string, query: unknown): Promise<PullResult> {
  const { after, limit } = parsePullQuery(query)
  // Head first, and no event past it: the page and hasMore agree even while others push.
  const head = await headOf(db, userId)
  const rows = await db.query<EventRow>(
    `SELECT partition_position, stream, stream_position, event_id::text AS event_id, type, data, metadata
     FROM events WHERE user_id = $1 AND partition_position > $2 AND partition_position <= $3
     ORDER BY partition_position LIMIT $4`,
    [userId, after, head, limit],
  )
  const events = rows.map((row) => ({
    position: Number(row.partition_position),
    stream: row.stream,
    streamPosition: Number(row.stream_position),
    eventId: row.event_id,
    type: row.type,
    data: row.data,
    metadata: row.metadata,
  }))
  const last = events.at(-1)?.position ?? after
  return { events, head, hasMore: last < head }
}
