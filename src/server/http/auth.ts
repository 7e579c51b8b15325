// /api/auth/*: thin routes over src/server/accounts (validate, call the use case, map the result).
import { Hono } from 'hono'
import { z } from 'zod'
import { DEFAULT_RATE_LIMITS, limitLogin, limitSignup, login, signup, startSession, type RateLimits } from '../accounts'
import type { Db } from '../db/Db'
import { readJson } from './json'
import { clearSessionCookie, endSession, requireUser, sessionToken, setSessionCookie, type AppEnv } from './session'

const Credentials = z.object({ email: z.string(), password: z.string() })

export interface AuthOptions {
  /** Login attempts per email and address per minute (default 10); the same as `limits.loginPerAccountAndAddress`. */
  loginAttemptsPerMinute?: number
  /** The rate limits, counted in the database: all server processes on it share them. */
  limits?: Partial<RateLimits>
  /** The clock of the rate limits' windows (tests fix it, so no attempt falls in the next window). */
  now?: () => Date
}

export function authRoutes(db: Db, options: AuthOptions = {}): Hono<AppEnv> {
  const limits: RateLimits = {
    ...DEFAULT_RATE_LIMITS,
    ...(options.loginAttemptsPerMinute === undefined ? {} : { loginPerAccountAndAddress: options.loginAttemptsPerMinute }),
    ...options.limits,
  }
  const now = options.now ?? (() => new Date())
  return new Hono<AppEnv>()
    .post('/signup', async (c) => {
      // Counted before the body is read: a malformed attempt counts too, and none costs a hash past the limit.
      await limitSignup(db, c.var.client.address, limits, now())
      const { email, password } = await readJson(c, Credentials)
      const user = await signup(db, email, password)
      setSessionCookie(c, await startSession(db, user))
      return c.json({ user }, 201)
    })
    .post('/login', async (c) => {
      const { email, password } = await readJson(c, Credentials)
      await limitLogin(db, email, c.var.client.address, limits, now())
      const user = await login(db, email, password)
      setSessionCookie(c, await startSession(db, user))
      return c.json({ user }, 200)
    })
    .post('/logout', async (c) => {
      const token = sessionToken(c)
      if (token) await endSession(db, token)
      clearSessionCookie(c)
      return c.body(null, 204)
    })
    .get('/me', requireUser(db), (c) => c.json({ user: c.var.user }, 200))
}
