/**
 * The Web Worker that runs deferred projections after each commit, one tab at a time, and the page's client of it.
 *
 * @module kiroku-es/worker
 */
export { ProjectionHost } from './ProjectionHost'
export type { Channel, HostOptions, LeadContext, LeadHook, Locks } from './ProjectionHost'
export { ProjectionWorkerClient } from './ProjectionWorkerClient'
export type { ClientOptions, ProjectionsView } from './ProjectionWorkerClient'
export { connectProjectionWorker } from './connectProjectionWorker'
export { startProjectionWorker } from './startProjectionWorker'
export type { ProjectionWorkerOptions, WorkerScope } from './startProjectionWorker'
export * from './protocol'
export { firstMatching } from './firstMatching'
export type { ViewSource } from './firstMatching'
