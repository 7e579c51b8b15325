// Cross-cutting guards: the request as its client made it (the origin it addressed, over https or
// not, from which address: behind a trusted TLS proxy, from the proxy's X-Forwarded-* headers),
// the names the server answers to (DNS rebinding), and the same-origin rule for state-changing
// requests. The login rate limit that uses the address is counted in the database
// (src/server/accounts/loginAttempts.ts).
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
    const origin = addressedOrigin(c.req.raw, trustProxy)
    const address = (trustProxy ? first(c.req.header('x-forwarded-for')) : undefined) ?? peerAddress(c)
    c.set('client', { origin, https: origin.startsWith('https:'), address })
    await next()
  }
}

/** The origin `request` addressed: its URL's (from Host), or behind a trusted proxy the one X-Forwarded-Proto and -Host name. */
export function addressedOrigin(request: Request, trustProxy: boolean): string {
  const url = new URL(request.url)
  if (!trustProxy) return url.origin
  const proto = first(request.headers.get('x-forwarded-proto') ?? undefined)?.toLowerCase()
  const scheme = proto === 'http' || proto === 'https' ? proto : url.protocol.slice(0, -1)
  const host = first(request.headers.get('x-forwarded-host') ?? undefined) ?? url.host
  return URL.canParse(`${scheme}://${host}`) ? new URL(`${scheme}://${host}`).origin : url.origin
}

/** The names a server answers to (see `isOwnHost`). */
export interface HostPolicy {
  /** The server's `origins`: their hosts (name and port) are the server's too. */
  origins: readonly string[]
  /** Behind a trusted proxy with no `origins`, whatever host the proxy forwards is taken as the server's. */
  trustProxy: boolean
}

/**
 * Whether `origin`'s host is one of the server's names: an IP address or localhost (a name
 * ending in `.localhost` too, which browsers resolve to loopback themselves), on any port, or
 * the host of one of `policy.origins`. A page can only be made to send another Host by a name
 * in DNS: a page at evil.example whose name its owner points at 127.0.0.1 (DNS rebinding) sends
 * `Host: evil.example` and `Origin: http://evil.example`, which agree with each other, so the
 * Origin check alone lets its POSTs through. Addresses and localhost are never such a name.
 * Behind a trusted proxy with no origins listed any host passes: the server is reachable through
 * the proxy by its public name anyway, so a rebound name reaches nothing more (list the names
 * in `origins` to refuse others there too).
 */
export function isOwnHost(origin: string, policy: HostPolicy): boolean {
  const { host, hostname } = new URL(origin)
  if (hostname === 'localhost' || hostname.endsWith('.localhost')) return true
  if (hostname.startsWith('[') || /^\d+\.\d+\.\d+\.\d+$/.test(hostname)) return true
  if (policy.trustProxy && policy.origins.length === 0) return true
  return policy.origins.some((own) => new URL(own).host === host)
}

/**
 * A request addressed to a name that is not the server's (`isOwnHost`): every method, GETs too,
 * is answered 403 `bad_origin` before any route. A rebinding page gets no cookie of the server's
 * (cookies belong to the name the browser used), but it could read what /api answers without
 * one and hold the server's live streams and sockets; a real client never names the server by a
 * name it does not have.
 */
export function ownHostOnly(policy: HostPolicy): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const origin = addressedOrigin(c.req.raw, policy.trustProxy)
    if (!isOwnHost(origin, policy)) throw protocolError('bad_origin', `This server does not answer to the name ${new URL(origin).host}; its operator lists the names it has in its origins.`)
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
