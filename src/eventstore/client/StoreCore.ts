// What every scoped view of one store shares, and the plumbing between a call and IndexedDB:
// run the body in the caller's transaction, or in one of its own.
import type Dexie from 'dexie'
import { StoreClosedError } from '../errors'
import type { RecordedEvent, Upcasters } from '../events'
import type { Subscriptions } from '../pubsub'
import { EVENTS, STREAMS, runTransaction, type Durability } from '../storage'
import type { Broker } from './Broker'
import type { ChangeFeed } from './ChangeFeed'
import type { Scope, TransactionHost } from './Transaction'

export type CommitListener = (events: readonly RecordedEvent[]) => void

/** Why the store closed: `close()` was called, another tab opened a newer schema, or the browser closed the connection. */
export type CloseReason = 'closed' | 'versionchange' | 'lost'
export type CloseListener = (reason: CloseReason) => void

export interface StoreCore extends TransactionHost {
  readonly db: Dexie
  readonly durability: Durability
  readonly clock: () => Date
  readonly subscriptions: Subscriptions
  readonly commitListeners: Set<CommitListener>
  readonly closeListeners: Set<CloseListener>
  readonly upcasters: Upcasters
  /** Every change to the log: this connection's commits, and the others' heard on the database's channel. */
  readonly feed: ChangeFeed
  readonly onError: (error: unknown, event?: RecordedEvent) => void
  broker: Broker
  closed: boolean
  closeReason?: CloseReason
}

/** A write: in the caller's transaction, or in a readwrite one of its own over `stores`. */
export function writeIn<T>(core: StoreCore, scope: Scope, body: (tx: IDBTransaction) => Promise<T>, stores = [EVENTS, STREAMS]): Promise<T> {
  if (scope.tx) return scope.tx.write(body)
  assertOpen(core)
  return runTransaction(core.db.backendDB(), stores, 'readwrite', core.durability, body)
}

/** A read: in the caller's transaction, or in a readonly one of its own over `stores`. */
export function readIn<T>(core: StoreCore, scope: Scope, body: (tx: IDBTransaction) => Promise<T>, stores = [EVENTS, STREAMS]): Promise<T> {
  if (scope.tx) return scope.tx.read(body)
  assertOpen(core)
  return runTransaction(core.db.backendDB(), stores, 'readonly', 'default', body)
}

export function assertOpen(core: StoreCore): void {
  if (core.closed || !core.db.isOpen()) throw new StoreClosedError()
}

/**
 * Tells the commit listeners about committed events, and the change feed (this connection's
 * followers, and every other connection through the channel) about those and about a rewrite.
 */
export function notifyCommitted(core: StoreCore, events: readonly RecordedEvent[], rewritten = false): void {
  if (events.length) notifyListeners(core, events)
  core.feed.committed(events, rewritten)
}

function notifyListeners(core: StoreCore, events: readonly RecordedEvent[]): void {
  for (const listener of core.commitListeners) {
    try {
      listener(events)
    } catch (error) {
      // A listener's bug must not turn a committed append into a failed one.
      core.onError(error)
    }
  }
}

/** Marks the store closed and tells every close listener, once. */
export function closeCore(core: StoreCore, reason: CloseReason): void {
  if (core.closed) return
  core.closed = true
  core.closeReason = reason
  core.feed.close()
  const listeners = [...core.closeListeners]
  core.closeListeners.clear()
  for (const listener of listeners) {
    try {
      listener(reason)
    } catch (error) {
      core.onError(error)
    }
  }
}
