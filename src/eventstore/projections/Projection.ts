import type { Table } from 'dexie'
import type { EventOf, EventTypeRef } from '../events'
import type { EventStore } from '../client'

export interface ProjectionContext {
  /** The store, inside the batch's transaction. */
  readonly store: EventStore
  /** One of the projection's tables, bound to the batch's transaction: `table<OrderRow, string>('orders')`. */
  table<T = any, K = any>(name: string): Table<T, K>
}

/**
 * A deferred projection: a read model kept from the log after commit, with a checkpoint
 * written in the same transaction as its tables, so each event is applied exactly once.
 * apply and applyBatch may await only the read model's IndexedDB work (the context's tables):
 * awaiting anything else lets IndexedDB commit the batch early, and the projection stops there
 * with ProjectionTransactionExpiredError (the event is still never applied twice).
 *
 * `Ref` is what `events` lists, inferred by defineProjection: apply and applyBatch get
 * `EventOf<Ref>`, the union of the listed definitions' events (a type name adds a plain RecordedEvent).
 */
export interface ProjectionDefinition<Ref extends EventTypeRef = EventTypeRef> {
  readonly name: string
  /** The event types it handles; other events only move its checkpoint. */
  readonly events: readonly Ref[]
  /** The read-model tables it owns (declared through `readModels`); a rebuild clears them. */
  readonly tables: readonly string[]
  /** Raise it when apply or the tables change: the next start rebuilds the read model. Default 1. */
  readonly version?: number
  /** Applies one event. Give this or `applyBatch`. Await only the context's table and store calls. */
  apply?(event: EventOf<Ref>, context: ProjectionContext): void | Promise<void>
  /**
   * Applies a batch's handled events at once, in order (e.g. one `bulkPut`): no IndexedDB round
   * trip per event. After a failure the runner calls it event by event to find the one at fault.
   */
  applyBatch?(events: readonly EventOf<Ref>[], context: ProjectionContext): void | Promise<void>
}

export const defineProjection = <Ref extends EventTypeRef>(projection: ProjectionDefinition<Ref>): ProjectionDefinition<Ref> => projection

export type ProjectionState = 'starting' | 'idle' | 'catching-up' | 'retrying' | 'stopped' | 'rebuilding'

export interface ProjectionStatus {
  name: string
  state: ProjectionState
  /** Global position of the last event applied. */
  checkpoint: number
  /** Global position of the newest event in the log, as last seen. */
  head: number
  /** Positions between the two: how far behind it is. */
  lag: number
  /** Failed tries at the current event (retrying, or stopped). */
  attempts: number
  failure?: { eventId: string; position: number; error: { name: string; message: string } }
  /** While rebuilding: events read so far of the log's total. */
  progress?: { done: number; total: number }
}
