// Kiroku's sync, the browser side: a store's chosen streams follow their user across devices
// through a sync server (DESIGN.md, "Sync: beyond one browser"). The engine runs in the leading
// tab's worker; every page follows it with a SyncClient.
/**
 * The browser side of sync: which streams sync and how conflicts end, the engine in the leading worker, the page's SyncClient, accounts and the HTTP transport.
 *
 * @module kiroku-es/sync
 */
export { AccountClient } from './accounts'
export { SpacesClient } from './spaces'
export type { InvitationOptions, SpaceChange, SpaceInvitation, SpaceMember } from './spaces'
export { isNetworkFailure, SyncRequestError, SyncServerError, SyncUnauthenticatedError, SyncUnreachableError } from './errors'
export { PULL_LIMIT, PUSH_LIMITS } from './protocol'
export type { CommitResult, PullAnswer, PulledEvent, PushAnswer, PushBody, PushCommit, SpaceRole, SpaceSummary, User, WireEvent, WireExpectedVersion } from './protocol'
export { initialSyncStatus, syncChannelName } from './status'
export type { LiveState, PendingCommit, SyncExchange, SyncMessage, SyncPolicy, SyncProblem, SyncReport, SyncSpace, SyncStatus } from './status'
export { SyncClient, syncStateOf } from './SyncClient'
export type { SyncClientOptions, SyncState, SyncView } from './SyncClient'
export { apiCaller, httpTransport } from './transport'
export type { Fetch, HttpTransportOptions, SyncTransport } from './transport'
export { categoryOf, defineSync } from './definition'
export { isDomainError } from './isDomainError'
export type { CheckedEvent, SyncConfig, SyncDefinition } from './definition'
export type { Rules } from '../eventstore'
export { eventSourceLive } from './live'
export { SyncStateError } from './reconcile'
export { SyncEngine } from './SyncEngine'
export type { LiveChannel, SyncEngineOptions } from './SyncEngine'
export { SYNC_REPORTS, SYNC_STATE, SYNC_STREAMS, syncTables } from './tables'
export type { SyncStreamRow } from './tables'
export { syncOnLead } from './lead'
export type { SyncLeadOptions, SyncWorkerOptions } from './lead'
