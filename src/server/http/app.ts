// The HTTP app: the protocol under /api (health, accounts unless the app identifies its users
// itself, sync, spaces, and the app's own routes), then the app's built files from `staticDir` with
// index.html for any other path.
import { serveStatic } from '@hono/node-server/serve-static'
import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import type { Db } from '../db/Db'
import { ProtocolError, protocolError } from '../protocol'
import type { Rules } from '../sync/appRules'
import { authRoutes, type AuthOptions } from './auth'
import { BODIES_IN_FLIGHT, bodiesInFlight } from './bodiesInFlight'
import { answer, errorResponse } from './errors'
import { clientView, ownHostOnly, sameOrigin } from './guards'
import { appIdentity, requireAccount, sessionIdentity, type Identify } from './identity'
import { closeAfterAnswer, type SyncLimits } from './limits'
import { mountSpaceRoutes } from './spaces'
import { syncRoutes, type LiveOptions } from './sync'
import type { AppEnv } from './session'

export type App = Hono<AppEnv>

export const MAX_BODY = 1024 * 1024

/** What an app's own routes get: the database, and the middleware that answers 401 for nobody and sets `c.var.account`. */
export interface RouteDeps {
  db: Db
  requireAccount: ReturnType<typeof requireAccount>
}

export interface AppOptions {
  db: Db
  /** The app's rules: the event types accepted and what each stream category allows. */
  rules: Rules
  /**
   * The app's own sign-in: the id of the user who made a request, or null. Without it, the
   * protocol's email and password accounts (/api/auth) with their session cookie.
   */
  identify?: Identify
  /** The app's built files: served for every path outside /api, index.html when no file matches. */
  staticDir?: string
  /**
   * More routes, mounted after the protocol's and before the catch-all 404 of /api, e.g.
   * `routes: (app, { db, requireAccount }) => app.get('/api/report', requireAccount, …)`.
   * The host and origin checks, the body limit and the error answers already apply.
   */
  routes?: (app: App, deps: RouteDeps) => void
  auth?: AuthOptions
  /**
   * Behind a TLS proxy: the origin check and the cookie's `Secure` flag follow X-Forwarded-Proto
   * and -Host, the login rate limit the first X-Forwarded-For address. Default false: those
   * headers are ignored.
   */
  trustProxy?: boolean
  /**
   * The origins the server is known by besides an IP address or localhost (`https://app.example`):
   * when given, a request addressed to any other name is refused with 403 `bad_origin` (DNS
   * rebinding); `[]` answers to addresses and localhost only. createSyncServer gives `[]` by
   * default; here no name is refused unless this is given.
   */
  origins?: readonly string[]
  /** The live stream's limits: streams per user, heartbeat, how long a write may wait. */
  live?: LiveOptions
  /**
   * Push and pull's limits: bytes of one event, of one pull page and of one account's events, the
   * dates accepted, push and pull requests of one account at once, and its share of bytes a second.
   */
  syncLimits?: SyncLimits
  /** Bytes of request bodies all requests together may have the process hold at once (default 256 MiB). */
  bodiesInFlight?: number
}

export function createApp(options: AppOptions): App {
  const { db, rules, staticDir, routes, auth, trustProxy = false, origins, live, syncLimits, bodiesInFlight: bodyBytes = BODIES_IN_FLIGHT } = options
  const identity = options.identify === undefined ? sessionIdentity(db) : appIdentity(db, options.identify)
  const signedIn = requireAccount(identity)
  const app = new Hono<AppEnv>()

  if (origins !== undefined) app.use('*', ownHostOnly({ origins, trustProxy }))
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
  if (identity.accounts) app.route('/api/auth', authRoutes(db, auth))
  app.route('/api/sync', syncRoutes(db, { identity, rules, live, limits: syncLimits }))
  mountSpaceRoutes(app, db, signedIn)
  routes?.(app, { db, requireAccount: signedIn })

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
