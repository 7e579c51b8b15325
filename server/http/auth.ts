// /api/auth/*: thin routes over server/accounts (validate, call the use case, map the result).
import { Hono } from 'hono'
import { z } from 'zod'
import { countLoginAttempt, login, logout, normalizeEmail, signup, startSession } from '../accounts'
import type { Db } from '../db/Db'
import { protocolError } from '../protocol'
import { readJson } from './json'
import { clearSessionCookie, requireUser, sessionToken, setSessionCookie, type AppEnv } from './session'

const Credentials = z.object({ email: z.string(), password: z.string() })

export interface AuthOptions {
  /** Login attempts per email and address per minute (default 10), counted in the database: all server processes on it share them. */
  loginAttemptsPerMinute?: number
  /** The clock of the rate limit's one-minute windows (tests fix it, so no attempt falls in the next minute). */
  now?: () => Date
}

export function authRoutes(db: Db, options: AuthOptions = {}): Hono<AppEnv> {
  const attemptsPerMinute = options.loginAttemptsPerMinute ?? 10
  const now = options.now ?? (() => new Date())
  return new Hono<AppEnv>()
    .post('/signup', async (c) => {
      const { email, password } = await readJson(c, Credentials)
      const user = await signup(db, email, password)
      setSessionCookie(c, await startSession(db, user))
      return c.json({ user }, 201)
    })
    .post('/login', async (c) => {
      const { email, password } = await readJson(c, Credentials)
      if ((await countLoginAttempt(db, `${normalizeEmail(email)}|${c.var.client.address}`, now())) > attemptsPerMinute) throw protocolError('rate_limited')
      const user = await login(db, email, password)
      setSessionCookie(c, await startSession(db, user))
      return c.json({ user }, 200)
    })
    .post('/logout', async (c) => {
      const token = sessionToken(c)
      if (token) await logout(db, token)
      clearSessionCookie(c)
      return c.body(null, 204)
    })
    .get('/me', requireUser(db), (c) => c.json({ user: c.var.user }, 200))
}
