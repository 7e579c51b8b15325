// Cross-cutting guards: the request as its client made it (the origin it addressed, over https or
// not, from which address: behind a trusted TLS proxy, from the proxy's X-Forwarded-* headers) and
// the same-origin rule for state-changing requests. The login rate limit that uses the address is
// counted in the database (server/accounts/loginAttempts.ts).
import { getConnInfo } from '@hono/node-server/conninfo'
import type { Context, MiddlewareHandler } from 'hono'
import { protocolError } from '../protocol'
import type { AppEnv } from './session'

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/** The first of a comma-separated header's values, trimmed; undefined when there is none. */
function first(value: string | undefined): string | undefined {
  const head = value?.split(',')[0]?.trim()
  return head ? head : undefined
}

/**
 * Sets `c.var.client`. From the connection itself, unless `trustProxy`: then X-Forwarded-Proto
 * (http or https) and X-Forwarded-Host name the origin, and the first X-Forwarded-For address is
 * the client's, where the proxy sent them. Only a proxy that sets these itself may be trusted:
 * anyone can send them.
 */
export function clientView(trustProxy: boolean): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const url = new URL(c.req.url)
    let origin = url.origin
    let address = peerAddress(c)
    if (trustProxy) {
      const proto = first(c.req.header('x-forwarded-proto'))?.toLowerCase()
      const scheme = proto === 'http' || proto === 'https' ? proto : url.protocol.slice(0, -1)
      const host = first(c.req.header('x-forwarded-host')) ?? url.host
      origin = URL.canParse(`${scheme}://${host}`) ? new URL(`${scheme}://${host}`).origin : origin
      address = first(c.req.header('x-forwarded-for')) ?? address
    }
    c.set('client', { origin, https: origin.startsWith('https:'), address })
    await next()
  }
}

/** A state-changing request whose Origin names another origin than the server's (as its client addressed it) → 403 `bad_origin`. No Origin is allowed. */
export function sameOrigin(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const origin = c.req.header('origin')
    if (!SAFE_METHODS.has(c.req.method) && origin !== undefined && origin !== c.var.client.origin) {
      throw protocolError('bad_origin')
    }
    await next()
  }
}

/** The peer's address, or 'unknown' when the app does not run on the Node server (app.request in tests). */
function peerAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown'
  } catch {
    return 'unknown'
  }
}
