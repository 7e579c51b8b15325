// The session cookie and the middleware that signs a request in (for the sync routes too).
import type { Context, MiddlewareHandler } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import { logout, userOf, type Session, type User } from '../accounts'
import type { Db } from '../db/Db'
import { protocolError } from '../protocol'
import type { Account } from '../sync/account'

export const SESSION_COOKIE = 'kiroku_session'
/**
 * NOTIFY channel of ended sessions; the payload is the user's id. It only says "look again":
 * each of that user's live streams, on any server process on the database, checks its own
 * session and ends when it is gone (src/server/http/sync.ts).
 */
export const SESSION_ENDED_CHANNEL = 'kiroku_session_ended'

/** The request as its client made it (set on every request by `clientView` in ./guards). */
export interface ClientView {
  /** The server's origin as the client addressed it: scheme, host and port. */
  origin: string
  /** Whether the client's connection is https (the session cookie is `Secure` then). */
  https: boolean
  /** The client's address, for the login rate limit. */
  address: string
}

/**
 * What routes find in `c.var`: `client` on every request (./guards), `account` (who, and their
 * partition) and `user` (the protocol's `{ id, email }`; an identified user's email is '') behind
 * `requireAccount`.
 */
export interface AppEnv {
  Variables: { user: User; account: Account; client: ClientView }
}

/** https as the client sees it (behind a trusted proxy, its X-Forwarded-Proto): the cookie is `Secure` then. */
const isHttps = (c: Context<AppEnv>) => c.var.client.https

export function setSessionCookie(c: Context<AppEnv>, session: Session): void {
  setCookie(c, SESSION_COOKIE, session.token, {
    httpOnly: true,
    sameSite: 'Strict',
    path: '/',
    secure: isHttps(c),
    expires: session.expiresAt,
  })
}

export function clearSessionCookie(c: Context<AppEnv>): void {
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
    c.set('account', { id: user.id, partition: user.id, email: user.email })
    await next()
  }
}

/** Logs `token`'s session out and tells every server process on the database, so that its live streams end too. */
export async function endSession(db: Db, token: string): Promise<void> {
  const user = await userOf(db, token)
  await logout(db, token)
  if (user) await db.notify(SESSION_ENDED_CHANNEL, user.id)
}
