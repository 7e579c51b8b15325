// Kiroku's sync server, as a library: `createSyncServer` serves the sync protocol for an app's own
// events and rules (the same rules its browsers check a rebase with), with built-in email and
// password accounts or the app's own sign-in, server projections the app declares, on embedded
// PostgreSQL (PGlite) or a PostgreSQL cluster. It gives a Hono app: mount it in a Node server of
// your own (`listen` gives one with the connection limits this server needs), or any runtime's.
/**
 * The sync server: createSyncServer, on PGlite or PostgreSQL, with the app's rules, identity, projections and routes.
 *
 * @module kiroku-es/server
 */
export { createSyncServer } from './createSyncServer'
export type { ServerProjection, Started, SyncServer, SyncServerOptions } from './createSyncServer'
export { pgliteDatabase, postgresDatabase } from './db/databases'
export type { Database } from './db/databases'
export type { Db, Queryable, Row } from './db/Db'
export { DataDirInUse } from './db/lockDataDir'
export type { AppMigration } from './db/migrate'
export type { App, AppOptions, RouteDeps } from './http/app'
export type { Identify } from './http/identity'
export type { AppEnv, ClientView } from './http/session'
export { SESSION_COOKIE } from './http/session'
export type { LiveOptions } from './http/sync'
export type { SyncLimits } from './http/limits'
export type { ByteBudget } from './http/byteBudget'
export { readJson } from './http/json'
export { connectionLimitsOf, describeLimits, listen, defaultMaxConnections, DEFAULT_HEADERS_TIMEOUT_MS, DEFAULT_KEEP_ALIVE_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS } from './http/listen'
export type { ConnectionLimits, ListenOptions } from './http/listen'
export { ProtocolError, protocolError, rateLimited, ERROR_STATUS } from './protocol'
export type { ErrorCode } from './protocol'
export { parkedEvents, retryParked, catchUp } from './projections'
export type { ParkedEvent, RetryOptions, RetryResult, RunnerOptions, StoredEvent } from './projections'
export type { Account } from './sync/account'
export { membershipOf, spacesOf, MAX_SHARED_SPACES, SPACES_CHANNEL } from './spaces'
export type { Member, Membership, Role, Space, SpaceChange } from './spaces'
export type { CheckedEvent, Rules } from './sync/appRules'
export type { PulledEvent, PullResult, CommitResult, PushResult, RejectReason } from './sync'
export type { StorageLimits } from './sync/storable'
export type { PruningOptions } from './accounts'
