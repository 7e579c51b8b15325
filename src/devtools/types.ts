import type { AggregateType, EventStore, HandlerRun, ProjectionStatus } from '../eventstore'
import type { SyncView } from '../sync'

/** Tells the panel to read the log again, beyond what the store hears itself (`store.onChange`). */
export interface ChangeFeed {
  subscribe(listener: () => void): () => void
}

/** The deferred projections' status and controls (the app's ProjectionWorkerClient fits). */
export interface ProjectionsSource {
  getSnapshot(): { projections: ProjectionStatus[] }
  subscribe(listener: () => void): () => void
  rebuild(name: string): void
  retry(name: string): void
}

/** Which handlers ran for an event (a DispatchLog fed by an InstrumentedDispatcher fits). */
export interface DispatchRuns {
  subscribe(listener: () => void): () => void
  getSnapshot(): unknown
  runsOf(eventId: string): readonly HandlerRun[]
}

export interface DevtoolsPanelProps {
  store: EventStore
  /**
   * Extra change notices. The panel hears every change to the log through `store.onChange` (this
   * tab's commits, an import, other tabs', the worker's sync); this is for a store opened with `channel: false`.
   */
  changes?: ChangeFeed
  /** Aggregate classes whose streams (`${aggregateName}$${id}`) get time travel. */
  aggregates?: readonly AggregateType[]
  projections?: ProjectionsSource
  dispatches?: DispatchRuns
  /** Rows read per page of the timeline. */
  pageSize?: number
  /** The app's sync (a SyncClient's view), for the Sync tab: null while signed out; leave it out when the app does not sync. */
  sync?: SyncView | null
  /** Asks the sync engine to push and pull now (the Sync tab's button). */
  syncNow?: () => void
  /** The tab shown first. */
  initialTab?: DevtoolsTab
}

export type DevtoolsTab = 'timeline' | 'streams' | 'projections' | 'sync'
