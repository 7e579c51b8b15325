// A budget of bytes per account, spent only while others need the server too. A pull costs its
// account the bytes of its answer's JSON, a push the bytes of its body as read (chunked or not): the server's work
// for either (reading events, JSON, the socket) grows with them. An account's budget refills at `bytesPerSecond` up
// to `burstBytes`. While no other account has been served within `othersWithinMs`, no budget
// binds: a new device catching up on a large history on a quiet server pulls at full speed. While
// others are served, an account past its budget (in debt) is answered 429 `rate_limited` with the
// whole seconds until its debt is repaid as Retry-After (at least 1): one account pulling its
// largest pages in parallel, again and again, gets no more than its rate while other accounts'
// requests stay about as fast as on a quiet server.
import type { Context, MiddlewareHandler } from 'hono'
import { rateLimited } from '../protocol'
import type { AppEnv } from './session'

export interface ByteBudget {
  /** Bytes per second one account is served while others are too (default 4 MiB/s). */
  bytesPerSecond?: number
  /** Bytes an account may save up and spend at once (default 4 MiB). */
  burstBytes?: number
  /** Others count as served when one of them was within this many ms (default 1000). */
  othersWithinMs?: number
  /** The clock, in ms (default performance.now). */
  now?: () => number
}

const MiB = 1024 * 1024
export const DEFAULT_BYTE_BUDGET = { bytesPerSecond: 4 * MiB, burstBytes: 4 * MiB, othersWithinMs: 1_000 } as const

interface Account {
  /** Bytes the account may still be served; below 0 it is in debt. */
  balance: number
  /** When `balance` was last brought up to date. */
  at: number
}

/** Accounts remembered before those whose budget is full again are forgotten. */
const FORGET_PAST = 10_000

const charges = new WeakMap<Context, number>()

/** Adds `bytes` to what the request costs its account (a pull's answer, say). */
export function chargeBytes(c: Context, bytes: number): void {
  charges.set(c, (charges.get(c) ?? 0) + bytes)
}

/** The per-account budget of bytes (see the file's comment); behind `requireUser`. */
export function byteBudget({
  bytesPerSecond = DEFAULT_BYTE_BUDGET.bytesPerSecond,
  burstBytes = DEFAULT_BYTE_BUDGET.burstBytes,
  othersWithinMs = DEFAULT_BYTE_BUDGET.othersWithinMs,
  now = () => performance.now(),
}: ByteBudget = {}): MiddlewareHandler<AppEnv> {
  if (!(bytesPerSecond > 0) || !(burstBytes > 0)) throw new RangeError('byteBudget needs a rate and a burst above 0.')
  const perMs = bytesPerSecond / 1000
  const accounts = new Map<string, Account>()
  /** Who was served lately, oldest first, one entry per account. */
  const recent: Array<{ userId: string; seen: number }> = []
  const refill = (account: Account, time: number) => {
    account.balance = Math.min(burstBytes, account.balance + (time - account.at) * perMs)
    account.at = time
  }
  const othersServed = (userId: string, time: number) => {
    while (recent.length > 0 && time - recent[0]!.seen > othersWithinMs) recent.shift()
    return recent.some((entry) => entry.userId !== userId)
  }
  return async (c, next) => {
    const userId = c.var.user.id
    const begun = now()
    let account = accounts.get(userId)
    if (account === undefined) {
      if (accounts.size >= FORGET_PAST) {
        for (const [id, other] of accounts) if (other.balance + (begun - other.at) * perMs >= burstBytes) accounts.delete(id)
      }
      account = { balance: burstBytes, at: begun }
      accounts.set(userId, account)
    }
    refill(account, begun)
    if (account.balance < 0 && othersServed(userId, begun)) {
      const seconds = Math.max(1, Math.ceil(-account.balance / bytesPerSecond))
      throw rateLimited(seconds, `This account has been served its share for now while others are served too: try again in ${seconds} s.`)
    }
    try {
      await next()
    } finally {
      const ended = now()
      refill(account, ended)
      account.balance -= charges.get(c) ?? 0
      const index = recent.findIndex((entry) => entry.userId === userId)
      if (index >= 0) recent.splice(index, 1)
      recent.push({ userId, seen: ended })
    }
  }
}
