// Housekeeping: what has expired is deleted, at start and then every hour, so the tables do not
// grow with every sign-in: expired sessions and the login rate limit's ended windows. Any server
// process may do it; two doing it at once delete nothing twice.
import type { Db } from '../db/Db'
import { pruneLoginAttempts } from './attempts'

export const PRUNE_EVERY_MS = 60 * 60 * 1000

/** What one round deleted. */
export interface Pruned {
  sessions: number
  /** Ended windows of the login rate limit. */
  loginAttempts: number
}

/** Deletes the sessions whose expiry has passed by `now`; resolves with how many. */
export async function pruneExpiredSessions(db: Db, now = new Date()): Promise<number> {
  const rows = await db.query('DELETE FROM sessions WHERE expires_at <= $1 RETURNING 1', [now.toISOString()])
  return rows.length
}

export interface PruningOptions {
  /** Between rounds (default an hour). */
  everyMs?: number
  now?: () => Date
  /** After each round. */
  onPruned?: (pruned: Pruned) => void
  onError?: (error: unknown) => void
}

export interface Pruning {
  /** No more rounds; resolves once the round in hand (if any) is done. */
  stop(): Promise<void>
}

/** Prunes now and then every `everyMs`, on a timer that keeps no process alive. */
export function startPruning(db: Db, options: PruningOptions = {}): Pruning {
  const now = options.now ?? (() => new Date())
  const onError = options.onError ?? ((error: unknown) => console.error('kiroku server: pruning failed:', error))
  let stopped = false
  let round = Promise.resolve()
  const prune = () => {
    round = round.then(async () => {
      if (stopped) return
      try {
        const time = now()
        const sessions = await pruneExpiredSessions(db, time)
        const loginAttempts = await pruneLoginAttempts(db, time)
        options.onPruned?.({ sessions, loginAttempts })
      } catch (error) {
        if (!stopped) onError(error)
      }
    })
  }
  prune()
  const timer = setInterval(prune, options.everyMs ?? PRUNE_EVERY_MS)
  timer.unref()
  return {
    async stop() {
      stopped = true
      clearInterval(timer)
      await round
    },
  }
}
