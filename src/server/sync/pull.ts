// Pull: the use case behind `GET /api/sync/pull`. A page of the user's own events in partition
// order; positions are gapless per user, so `after` is a safe cursor. A page is bounded in events
// (`limit`) and in bytes (`pageBytes`), and it is cut in the database: node never holds more.
import type { Db } from '../db/Db'
import { protocolError } from '../protocol'
import { membershipOf } from '../spaces'
import { accountOf, type Account } from './account'
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

/** Bytes of events in one page by default: as much as one push may carry. */
export const PAGE_BYTES = 1024 * 1024

export interface PullOptions {
  /**
   * A page ends before the event that would take its events' data and metadata (as PostgreSQL
   * writes them out, `events.bytes`) past this many bytes; it always holds at least one event, so
   * a client never stalls on a large one. Default PAGE_BYTES.
   */
  pageBytes?: number
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

// The page's positions first, from the index and each row's `bytes` (no data read): the events
// up to `limit`, while their running sum stays within the page's bytes, and always the first.
// Only those rows' data and metadata are read.
const PAGE = `
  WITH page AS (
    SELECT partition_position,
           sum(bytes) OVER (ORDER BY partition_position ROWS UNBOUNDED PRECEDING) AS running,
           row_number() OVER (ORDER BY partition_position ROWS UNBOUNDED PRECEDING) AS n
      FROM events
     WHERE user_id = $1 AND partition_position > $2 AND partition_position <= $3
     ORDER BY partition_position
     LIMIT $4
  )
  SELECT e.partition_position, e.stream, e.stream_position, e.event_id::text AS event_id, e.type, e.data, e.metadata
    FROM page JOIN events e ON e.user_id = $1 AND e.partition_position = page.partition_position
   WHERE page.n = 1 OR page.running <= $5
   ORDER BY e.partition_position`

/** The events of the user's personal space, or of the space the query names, after `after` (at most
 * `limit`, see parsePullQuery, and at most `pageBytes`); throws an `invalid` ProtocolError for a
 * malformed query and `not_found` for a space the user is not a member of. */
export async function pull(db: Db, reader: string | Account, query: unknown, options: PullOptions = {}): Promise<PullResult> {
  const { space, after, limit } = parsePullQuery(query)
  const account = accountOf(reader)
  // A named space is read by its members only; to anyone else it is not found, as one that does not exist.
  const membership = space === undefined ? null : await membershipOf(db, account.partition, space)
  if (space !== undefined && membership === null) throw protocolError('not_found')
  const partition = membership?.partition ?? account.partition
  // Head first, and no event past it: the page and hasMore agree even while others push.
  const head = await headOf(db, partition)
  const rows = await db.query<EventRow>(PAGE, [partition, after, head, limit, options.pageBytes ?? PAGE_BYTES])
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
