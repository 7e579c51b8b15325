// What request bodies may make the process hold at once, all requests together. A body is read
// whole before it is judged (JSON), and a client may send its 1 MiB at a byte a second until the
// request timeout: without a bound on the sum, many such bodies (sign-ups need no account) hold
// memory in proportion to the connections. Each body reserves its Content-Length (the body
// limit's maximum when it has none) while its request is handled; past the bound, 429
// `rate_limited` with Retry-After: 1 before anything is read.
import type { MiddlewareHandler } from 'hono'
import { rateLimited } from '../protocol'
import type { AppEnv } from './session'

/** Bytes of request bodies the process holds at once by default: 256 MiB. */
export const BODIES_IN_FLIGHT = 256 * 1024 * 1024

/** Behind the body limit (so no Content-Length above `maxBody` reaches it). */
export function bodiesInFlight(maxBytes: number, maxBody: number): MiddlewareHandler<AppEnv> {
  let held = 0
  return async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD' || c.req.method === 'OPTIONS') return next()
    const header = c.req.header('content-length')
    // No length: a chunked body may be as long as the limit; a request with no body holds nothing.
    const length = header !== undefined && /^\d{1,15}$/.test(header) ? Number(header) : c.req.raw.body === null ? 0 : maxBody
    const reserved = Math.min(length, maxBody)
    if (reserved === 0) return next()
    if (held + reserved > maxBytes) throw rateLimited(1, 'The server is reading many requests at once: try again in a moment.')
    held += reserved
    try {
      await next()
    } finally {
      held -= reserved
    }
  }
}
