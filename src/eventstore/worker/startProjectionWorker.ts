import type { EventStore } from '../client'
import type { ProjectionDefinition, ProjectionRunnerOptions } from '../projections'
import { ProjectionHost, type Channel, type LeadHook, type Locks } from './ProjectionHost'
import type { PageMessage, WorkerMessage } from './protocol'

/** The parts of a dedicated worker's global scope (`self`) the host uses. */
export interface WorkerScope {
  postMessage(message: WorkerMessage): void
  addEventListener(type: 'message', listener: (event: { data: PageMessage }) => void): void
}

export interface ProjectionWorkerOptions {
  /** Opens the page's database in the worker, with the same read models as the page. */
  openStore(database: string): Promise<EventStore>
  /** The deferred projections this app runs. */
  projections: readonly ProjectionDefinition[]
  runner?: ProjectionRunnerOptions
  /** Work only the leading worker does while it leads (sync, for one); returns its stop. */
  onLead?: LeadHook
  /** The worker's global scope; defaults to `self`. */
  scope?: WorkerScope
  /** Defaults to `navigator.locks`. */
  locks?: Locks
  /** Defaults to `new BroadcastChannel(name)`. */
  openChannel?: (name: string) => Channel
}

/**
 * The whole of an app's projection worker entry: a ProjectionHost wired to the worker's own
 * messages, the Web Locks API and BroadcastChannel. Call it at the top of the entry, before any
 * await, so the page's first message finds it listening.
 *
 * ```ts
 * // projections.worker.ts
 * startProjectionWorker({ openStore: (name) => openEventStore({ name, readModels }), projections: [orders] })
 * ```
 */
export function startProjectionWorker(options: ProjectionWorkerOptions): ProjectionHost {
  const scope = options.scope ?? (globalThis as unknown as WorkerScope)
  const locks = options.locks ?? (globalThis as { navigator?: { locks?: Locks } }).navigator?.locks
  if (!locks) throw new Error('The projection worker needs the Web Locks API (navigator.locks), which this browser does not offer.')
  const host = new ProjectionHost({
    openStore: options.openStore,
    projections: options.projections,
    locks,
    openChannel: options.openChannel ?? ((name) => new BroadcastChannel(name) as Channel),
    post: (message) => scope.postMessage(message),
    ...(options.runner ? { runner: options.runner } : {}),
    ...(options.onLead ? { onLead: options.onLead } : {}),
  })
  scope.addEventListener('message', (event) => void host.handle(event.data))
  return host
}
