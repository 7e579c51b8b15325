// Cross-cutting guards: the same-origin rule for state-changing requests, the client's address and
// a small in-memory rate limit (per process: enough to slow down password guessing).
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

/** A fixed-window counter: at most `limit` hits per key per `windowMs`. */
export class RateLimiter {
  private readonly windows = new Map<string, { count: number; resetAt: number }>()

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one hit for `key`; false when the key is over its limit in this window. */
  hit(key: string): boolean {
    const now = this.now()
    if (this.windows.size > 10_000) for (const [k, w] of this.windows) if (w.resetAt <= now) this.windows.delete(k)
    let window = this.windows.get(key)
    if (!window || window.resetAt <= now) this.windows.set(key, (window = { count: 0, resetAt: now + this.windowMs }))
    window.count += 1
    return window.count <= this.limit
  }
}
