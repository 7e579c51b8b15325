// The rate limits on signing in and signing up: which counters an attempt bumps, how many each
// allows, and the refusal (429 `rate_limited` with the seconds until the refusing window ends).
// Every attempt counts, right or wrong, and is counted before the password is looked at: a
// limited account refuses its right password too until the window ends (docs/SYNC.md).
import type { Queryable } from '../db/Db'
import { rateLimited } from '../protocol'
import { countAttempts, LOGIN_WINDOW_MS, type Counter } from './attempts'
import { normalizeEmail } from './emails'

export const SIGNUP_WINDOW_MS = 60 * 60 * 1000

export interface RateLimits {
  /** Login attempts a minute for one email from one address (default 10). */
  loginPerAccountAndAddress: number
  /** Login attempts a minute for one email from all addresses together (default 30): guessing one account's password from many addresses. */
  loginPerAccount: number
  /** Login attempts a minute from one address for all emails together (default 60): trying one password on many accounts. */
  loginPerAddress: number
  /** Signups an hour from one address (default 1,000): each one costs a password hash. */
  signupsPerAddress: number
}

export const DEFAULT_RATE_LIMITS: RateLimits = {
  loginPerAccountAndAddress: 10,
  loginPerAccount: 30,
  loginPerAddress: 60,
  signupsPerAddress: 1_000,
}

interface Limit extends Counter {
  max: number
}

/** Counts the attempt on every limit; throws 429 `rate_limited` when any is over, with Retry-After the latest end among those that refuse. */
async function enforce(db: Queryable, limits: readonly Limit[], now: Date, message: string): Promise<void> {
  const counted = await countAttempts(db, limits, now)
  const refusing = counted.filter((state, i) => state.count > limits[i]!.max)
  if (refusing.length === 0) return
  const ends = Math.max(...refusing.map((state) => state.windowEnds.getTime()))
  throw rateLimited(Math.max(1, Math.ceil((ends - now.getTime()) / 1000)), message)
}

/** Counts a login attempt for `email` from `address`; throws 429 `rate_limited` past any of the limits. */
export async function limitLogin(db: Queryable, email: string, address: string, limits: RateLimits, now = new Date()): Promise<void> {
  const account = normalizeEmail(email)
  await enforce(
    db,
    [
      { key: `${account}|${address}`, windowMs: LOGIN_WINDOW_MS, max: limits.loginPerAccountAndAddress },
      { key: `account|${account}`, windowMs: LOGIN_WINDOW_MS, max: limits.loginPerAccount },
      { key: `address|${address}`, windowMs: LOGIN_WINDOW_MS, max: limits.loginPerAddress },
    ],
    now,
    'Too many sign-in attempts: wait a minute, then try again.',
  )
}

/** Counts a signup attempt from `address`; throws 429 `rate_limited` past the limit. */
export async function limitSignup(db: Queryable, address: string, limits: RateLimits, now = new Date()): Promise<void> {
  await enforce(
    db,
    [{ key: `signup|${address}`, windowMs: SIGNUP_WINDOW_MS, max: limits.signupsPerAddress }],
    now,
    'Too many new accounts from this address: try again later.',
  )
}
