// /api/auth/*: thin routes over server/accounts (validate, call the use case, map the result).
import { Hono } from 'hono'
import { z } from 'zod'
import { login, logout, signup, startSession } from '../accounts'
import type { Db } from '../db/Db'
import { protocolError } from '../protocol'
import { clientAddress, RateLimiter } from './guards'
import { readJson } from './json'
import { clearSessionCookie, requireUser, sessionToken, setSessionCookie, type AppEnv } from './session'

const Credentials = z.object({ email: z.string(), password: z.string() })

export interface AuthOptions {
  /** Login attempts per email and address per minute (default 10). */
  loginAttemptsPerMinute?: number
}

export function authRoutes(db: Db, options: AuthOptions = {}): Hono<AppEnv> {
  const attempts = new RateLimiter(options.loginAttemptsPerMinute ?? 10, 60_000)
  return new Hono<AppEnv>()
    .post('/signup', async (c) => {
      const { email, password } = await readJson(c, Credentials)
      const user = await signup(db, email, password)
      setSessionCookie(c, await startSession(db, user))
      return c.json({ user }, 201)
    })
    .post('/login', async (c) => {
      const { email, password } = await readJson(c, Credentials)
      if (!attempts.hit(`${email.trim().toLowerCase()}|${clientAddress(c)}`)) throw protocolError('rate_limited')
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
