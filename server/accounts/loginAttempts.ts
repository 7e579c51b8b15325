// The login rate limit's counter, in the database: every server process on it counts into the same
// rows, so the limit holds across processes and restarts. Fixed one-minute windows (a window starts
// on the minute); the key is stored as its sha-256, so the table holds no emails or addresses.
import { createHash } from 'node:crypto'
import type { Queryable } from '../db/Db'

export const LOGIN_WINDOW_MS = 60_000

const windowStartOf = (time: Date) => new Date(Math.floor(time.getTime() / LOGIN_WINDOW_MS) * LOGIN_WINDOW_MS)

/** Counts one attempt for `key` in the window `now` falls in; resolves with the window's count, this attempt included. */
export async function countLoginAttempt(db: Queryable, key: string, now = new Date()): Promise<number> {
  const [row] = await db.query<{ count: number }>(
    `INSERT INTO login_attempts (key, window_start, count) VALUES ($1, $2, 1)
     ON CONFLICT (key, window_start) DO UPDATE SET count = login_attempts.count + 1 RETURNING count`,
    [createHash('sha256').update(key).digest('hex'), windowStartOf(now).toISOString()],
  )
  return Number(row!.count)
}

/** Deletes the windows that ended by `now`; resolves with how many. */
export async function pruneLoginAttempts(db: Queryable, now = new Date()): Promise<number> {
  const ended = new Date(now.getTime() - LOGIN_WINDOW_MS)
  const rows = await db.query('DELETE FROM login_attempts WHERE window_start <= $1 RETURNING 1', [ended.toISOString()])
  return rows.length
}
