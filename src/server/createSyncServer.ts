// The sync server of an app: the protocol of Kiroku's sync under /api as a Hono app, over the
// app's own rules, identity, server projections and routes, on PGlite or PostgreSQL. Made at
// once; `start()` opens the database, applies the migrations (the server's, then the app's) and
// starts the projections and the pruning of expired sessions; `close()` stops them and closes
// what `start` opened. Several processes may share one PostgreSQL database.
import { startPruning, type Pruning, type PruningOptions } from './accounts'
import { isDb, type Database } from './db/databases'
import type { Db, Queryable } from './db/Db'
import { migrate, type AppMigration } from './db/migrate'
import { createApp, type App, type AppOptions } from './http/app'
import { subscribe, type Runner, type RunnerOptions, type Subscription } from './projections'

/** A read model the server keeps from every partition's events, in commit order (see `subscribe`). */
export type ServerProjection = Subscription

export interface SyncServerOptions extends Omit<AppOptions, 'db'> {
  /** Where the data is: `pgliteDatabase(dir)`, `postgresDatabase(url)`, or a Db opened already (then `close()` leaves it open). */
  database: Database | Db
  /** Read models the server keeps, each with the tables it owns (`migrations`) and a handler for batches of events. */
  projections?: readonly ServerProjection[]
  /** Migrations of the app's own tables that no projection owns, applied after the projections' own. */
  migrations?: readonly AppMigration[]
  /** How the projections' runners poll, back off and log (see `RunnerOptions`). */
  projectionRunner?: RunnerOptions
  /** How often expired sessions and old login attempts are deleted; false for never (another process does it). */
  pruning?: PruningOptions | false
}

export interface Started {
  /** The migrations applied by this start, by name. */
  applied: string[]
}

export type SyncServer = App & {
  /** Opens the database, applies migrations and starts the projections; resolves when requests can be served. */
  start(): Promise<Started>
  /** Stops the projections and the pruning, then closes the database `start` opened. */
  close(): Promise<void>
  /** The database, once started. */
  readonly db: Db
}

const notStarted = (): never => {
  throw new Error('The sync server is not started: await server.start() before it serves requests.')
}

/** A Db whose every call goes to the database `start` opened (the routes are made before it is). */
function deferredDb(current: () => Db | undefined, storage: Db['storage']): Db {
  const db = () => current() ?? notStarted()
  return {
    get storage() {
      return current()?.storage ?? storage
    },
    query: (sql, params) => db().query(sql, params),
    transaction: <T>(fn: (tx: Queryable) => Promise<T>) => db().transaction(fn),
    listen: (channel, listener) => db().listen(channel, listener),
    notify: (channel, payload) => db().notify(channel, payload),
    close: () => db().close(),
  }
}

export function createSyncServer(options: SyncServerOptions): SyncServer {
  const { database, projections = [], migrations = [], projectionRunner, pruning: pruningOptions = {}, ...appOptions } = options
  const names = new Set<string>()
  for (const projection of projections) {
    if (names.has(projection.name)) throw new Error(`Two server projections are named ${projection.name}: each needs a checkpoint of its own.`)
    names.add(projection.name)
  }
  let opened: Db | undefined = isDb(database) ? database : undefined
  const db = deferredDb(() => opened, database.storage)
  // Refusing names that are not the server's is the default: a rebound DNS name is refused.
  const app = createApp({ origins: [], ...appOptions, db })

  let runners: Runner[] = []
  let pruning: Pruning | undefined
  let starting: Promise<Started> | undefined

  const start = () =>
    (starting ??= (async () => {
      opened ??= await (database as Database).open()
      const applied = await migrate(opened, undefined, [...projections.flatMap((projection) => projection.migrations ?? []), ...migrations])
      runners = projections.map((projection) => subscribe(opened!, projection, projectionRunner))
      if (pruningOptions !== false) pruning = startPruning(opened, pruningOptions)
      return { applied }
    })())

  const close = async () => {
    await starting?.catch(() => undefined)
    await Promise.all([...runners.map((runner) => runner.stop()), pruning?.stop()])
    runners = []
    pruning = undefined
    if (opened !== undefined && !isDb(database)) await opened.close()
    if (!isDb(database)) opened = undefined
    starting = undefined
  }

  return Object.defineProperties(app, {
    start: { value: start },
    close: { value: close },
    db: { get: () => opened ?? notStarted() },
  }) as SyncServer
}
