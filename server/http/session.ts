// The session cookie and the middleware that signs a request in (for the sync routes too).
import type { Context, MiddlewareHandler } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import { userOf, type Session, type User } from '../accounts'
import type { Db } from '../db/Db'
import { protocolError } from '../protocol'

export const SESSION_COOKIE = 'kiroku_session'

/** What routes behind `requireUser` find in `c.var`. */
export interface AppEnv {
  Variables: { user: User }
}

const isHttps = (c: Context) => new URL(c.req.url).protocol === 'https:'

export function setSessionCookie(c: Context, session: Session): void {
  setCookie(c, SESSION_COOKIE, session.token, {
    httpOnly: true,
    sameSite: 'Strict',
    path: '/',
    secure: isHttps(c),
    expires: session.expiresAt,
  })
}

export function clearSessionCookie(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, { httpOnly: true, sameSite: 'Strict', path: '/', secure: isHttps(c) })
}

export function sessionToken(c: Context): string | undefined {
  return getCookie(c, SESSION_COOKIE)
}

/** Sets `c.var.user` from the session cookie, or answers 401 `unauthenticated`. */
export function requireUser(db: Db): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const user = await userOf(db, sessionToken(c))
    if (!user) throw protocolError('unauthenticated')
    c.set('user', user)
    await next()
  }
}
