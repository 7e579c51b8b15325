// The rate limits' counters, in the database: every server process on it counts into the same
// rows, so a limit holds across processes and restarts. Fixed windows on the clock (a minute's
// starts on the minute, an hour's on the hour); each key is stored as its sha-256, so the table
// holds no emails or addresses, and each row says its window's length, so the pruning deletes
// only windows that have ended.
import { createHash } from 'node:crypto'
import type { Queryable } from '../db/Db'

export const LOGIN_WINDOW_MS = 60_000

/** One counter to bump: `key` (hashed before it is stored) in windows of `windowMs`. */
export interface Counter {
  key: string
  windowMs: number
}

/** A counter's state after the attempt: its count, this attempt included, and when its window ends. */
export interface Counted {
  count: number
  windowEnds: Date
}

const hash = (key: string) => createHash('sha256').update(key).digest('hex')
const windowStartOf = (time: Date, windowMs: number) => new Date(Math.floor(time.getTime() / windowMs) * windowMs)

/**
 * Counts one attempt on each of `counters` in the window `now` falls in, in one statement (one
 * upsert per counter: `INSERT … ON CONFLICT … DO UPDATE SET count = count + 1 RETURNING count`).
 * Resolves with the counters' states, in their order.
 */
export async function countAttempts(db: Queryable, counters: readonly Counter[], now = new Date()): Promise<Counted[]> {
  const values: unknown[] = []
  const rows = counters.map(({ key, windowMs }, i) => {
    values.push(hash(key), windowStartOf(now, windowMs).toISOString(), windowMs)
    return `($${3 * i + 1}, $${3 * i + 2}::timestamptz, 1, $${3 * i + 3}::integer)`
  })
  const counted = await db.query<{ key: string; window_start: string | Date; window_ms: number; count: number }>(
    `INSERT INTO login_attempts (key, window_start, count, window_ms) VALUES ${rows.join(', ')}
     ON CONFLICT (key, window_start) DO UPDATE SET count = login_attempts.count + 1
     RETURNING key, window_start, window_ms, count`,
    values,
  )
  return counters.map(({ key, windowMs }) => {
    const start = windowStartOf(now, windowMs).getTime()
    const row = counted.find((r) => r.key === hash(key) && new Date(r.window_start).getTime() === start)
    return { count: Number(row!.count), windowEnds: new Date(start + windowMs) }
  })
}

/** Counts one attempt for `key` in the one-minute window `now` falls in; resolves with the window's count, this attempt included. */
export async function countLoginAttempt(db: Queryable, key: string, now = new Date()): Promise<number> {
  const [counted] = await countAttempts(db, [{ key, windowMs: LOGIN_WINDOW_MS }], now)
  return counted!.count
}

/** Deletes the windows that ended by `now`; resolves with how many. */
export async function pruneLoginAttempts(db: Queryable, now = new Date()): Promise<number> {
  const rows = await db.query(
    `DELETE FROM login_attempts WHERE window_start + window_ms * interval '1 millisecond' <= $1::timestamptz RETURNING 1`,
    [now.toISOString()],
  )
  return rows.length
}
