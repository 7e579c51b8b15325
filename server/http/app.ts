// The HTTP app: /api (auth, health, and the routes mounted by `mount`, such as /api/sync), then
// the built app from `staticDir` with index.html for any other path.
import { serveStatic } from '@hono/node-server/serve-static'
import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import type { Db } from '../db/Db'
import { ProtocolError, protocolError } from '../protocol'
import { authRoutes, type AuthOptions } from './auth'
import { BODIES_IN_FLIGHT, bodiesInFlight } from './bodiesInFlight'
import { answer, errorResponse } from './errors'
import { clientView, sameOrigin } from './guards'
import { closeAfterAnswer, type SyncLimits } from './limits'
import { orderRoutes } from './orders'
import { syncRoutes, type LiveOptions } from './sync'
import type { AppEnv } from './session'

export type App = Hono<AppEnv>

export const MAX_BODY = 1024 * 1024

export interface AppOptions {
  db: Db
  /** The built app (dist/): served for every non-/api path, index.html when no file matches. */
  staticDir?: string
  /**
   * Mounts more /api routes; this is where the sync routes go, e.g.
   * `mount: (app, { db }) => app.route('/api/sync', syncRoutes(db, live))` (use `requireUser(db)` from
   * ./session for the 401). Origin check, body limit and error mapping already apply.
   */
  mount?: (app: App, deps: { db: Db }) => void
  auth?: AuthOptions
  /**
   * Behind a TLS proxy (KIROKU_TRUST_PROXY=1): the origin check and the cookie's `Secure` flag
   * follow X-Forwarded-Proto and -Host, the login rate limit the first X-Forwarded-For address.
   * Default false: those headers are ignored.
   */
  trustProxy?: boolean
  /** The live stream's limits: streams per user, heartbeat, how long a write may wait (server/http/sync.ts). */
  live?: LiveOptions
  /**
   * Push and pull's limits (server/http/limits.ts): bytes of one event, of one pull page and of one
   * account's events, the dates accepted, and push and pull requests of one account at once.
   */
  syncLimits?: SyncLimits
  /** Bytes of request bodies all requests together may have the process hold at once (default 256 MiB; server/http/bodiesInFlight.ts). */
  bodiesInFlight?: number
}

export function createApp({ db, staticDir, mount, auth, trustProxy = false, live, syncLimits, bodiesInFlight: bodyBytes = BODIES_IN_FLIGHT }: AppOptions): App {
  const app = new Hono<AppEnv>()

  // Every /api answer may carry a user's data, and errors too: no cache keeps any of them.
  app.use('/api/*', async (c, next) => {
    c.header('Cache-Control', 'no-store')
    await next()
    if (!c.res.headers.has('Cache-Control')) c.header('Cache-Control', 'no-store')
  })
  app.use('*', clientView(trustProxy))
  app.use('*', sameOrigin())
  // The unread rest of a refused body would reset the connection: it ends, cleanly (./limits).
  app.use(
    '/api/*',
    bodyLimit({
      maxSize: MAX_BODY,
      onError: (c) => {
        closeAfterAnswer(c)
        return answer(c, 'too_large')
      },
    }),
  )
  app.use('/api/*', bodiesInFlight(bodyBytes, MAX_BODY))

  app.get('/api/health', (c) => c.json({ ok: true, storage: db.storage }, 200))
  app.route('/api/auth', authRoutes(db, auth))
  app.route('/api/sync', syncRoutes(db, live, syncLimits))
  app.route('/api/orders', orderRoutes(db))
  mount?.(app, { db })

  app.all('/api/*', () => {
    throw protocolError('not_found')
  })

  if (staticDir !== undefined) {
    app.use('*', serveStatic({ root: staticDir }))
    app.get('*', serveStatic({ root: staticDir, path: 'index.html' }))
  }

  app.notFound((c) => answer(c, 'not_found'))
  app.onError((error, c) => {
    if (error instanceof ProtocolError) return errorResponse(c, error)
    console.error(`kiroku server: ${c.req.method} ${c.req.path}: ${describeError(error)}`)
    return answer(c, 'internal')
  })
  return app
}

/**
 * An unexpected error for the log: its name, code and message (its first 200 characters) and
 * where it was thrown (the stack's first frames), never what a database error carries besides
 * (detail, query, parameters) nor the request's query or body: those hold a user's data.
 */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return `a thrown ${typeof error}`
  const code = (error as { code?: unknown }).code
  const message = error.message.length > 200 ? `${error.message.slice(0, 200)}…` : error.message
  const frames = (error.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line)).slice(0, 5)
  return [`${error.name}${typeof code === 'string' ? ` ${code}` : ''}: ${message}`, ...frames].join('\n')
}
