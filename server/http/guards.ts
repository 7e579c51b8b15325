// Cross-cutting guards: the same-origin rule for state-changing requests and the client's address
// (for the login rate limit, which is counted in the database: server/accounts/loginAttempts.ts).
import { getConnInfo } from '@hono/node-server/conninfo'
import type { Context, MiddlewareHandler } from 'hono'
import { protocolError } from '../protocol'

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/** A state-changing request whose Origin names another origin than the server's → 403 `bad_origin`. No Origin is allowed. */
export function sameOrigin(): MiddlewareHandler {
  return async (c, next) => {
    const origin = c.req.header('origin')
    if (!SAFE_METHODS.has(c.req.method) && origin !== undefined && origin !== new URL(c.req.url).origin) {
      throw protocolError('bad_origin')
    }
    await next()
  }
}

/** The peer's address, or 'unknown' when the app does not run on the Node server (app.request in tests). */
export function clientAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown'
  } catch {
    return 'unknown'
  }
}
