import type { EventStore } from '../client'
import { ProjectionWorkerClient } from './ProjectionWorkerClient'

/**
 * The page's side in one line: starts this tab's projection worker and follows it, for as long as
 * the store is open. Pass the worker as `() => new Worker(new URL('./projections.worker.ts',
 * import.meta.url), { type: 'module' })`, written in the app, so its bundler finds the entry.
 */
export function connectProjectionWorker(store: EventStore, createWorker: () => Worker): ProjectionWorkerClient {
  return new ProjectionWorkerClient(store, { createWorker }).start()
}
