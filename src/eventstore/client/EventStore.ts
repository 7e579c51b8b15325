import Dexie from 'dexie'
import { typeOf, type EventTypeRef, type Metadata, type NewEvent, type RecordedEvent } from '../events/Event'
import type { Broker } from './Broker'
import {
  EventDuplicatedInStreamError,
  IncorrectStreamDataError,
  InvalidEventDataError,
  InvalidExpectedVersionError,
  StoreClosedError,
  TransactionCommittedEarlyError,
} from '../errors'
import * as repository from '../storage/EventRepository'
import { checkExpectedVersion, type ExpectedVersion } from '../storage/ExpectedVersion'
import { runTransaction, storageError, type Durability } from '../storage/idb'
import { ReadQuery } from './ReadQuery'
import { toRecords } from '../storage/toRecords'
import { readHistory, type History } from '../storage/readHistory'
import { EVENTS, SNAPSHOTS, STREAMS } from '../storage/schema'
import { ROOT_SCOPE, TxContext, type Scope } from './Transaction'
import type { EventHandler, Subscriptions } from '../pubsub/Subscriptions'
import { SnapshotStore } from '../storage/SnapshotStore'
import type { Upcasters } from '../events/Upcasters'

export interface AppendOptions {
  /** Omit to store the events in the global log only. */
  stream?: string
  /** Defaults to 'any'. */
  expectedVersion?: ExpectedVersion
}

export interface LinkOptions {
  stream: string
  expectedVersion?: ExpectedVersion
}

export type CommitListener = (events: readonly RecordedEvent[]) => void

/** Why the store closed: `close()` was called, another tab opened a newer schema, or the browser closed the connection. */
export type CloseReason = 'closed' | 'versionchange' | 'lost'
export type CloseListener = (reason: CloseReason) => void

/** What every scoped view of one store shares. */
export interface StoreCore {
  readonly db: Dexie
  readonly durability: Durability
  readonly clock: () => Date
  readonly subscriptions: Subscriptions
  readonly commitListeners: Set<CommitListener>
  readonly closeListeners: Set<CloseListener>
  /** The store.transaction calls under way, by their IndexedDB transaction. */
  readonly openTransactions: Map<IDBTransaction, TxContext>
  readonly upcasters: Upcasters
  readonly onError: (error: unknown, event?: RecordedEvent) => void
  broker: Broker
  closed: boolean
  closeReason?: CloseReason
}

/**
 * The event store. `openEventStore` gives the root; handlers, `withMetadata` and `transaction`
 * give scoped views of the same store whose calls carry their metadata and transaction.
 */
export class EventStore {
  /** The read query over the whole log; refine it with `.stream()`, `.ofType()`, … */
  readonly read: ReadQuery

  constructor(
    private readonly core: StoreCore,
    private readonly ownScope: Scope | null = null,
  ) {
    const { upcasters } = core
    this.read = new ReadQuery((body) => this.query(body), upcasters.isEmpty ? undefined : (event) => upcasters.apply(event))
  }

  /** The Dexie database, for the app's own read-model tables (declared through `readModels`). */
  get db(): Dexie {
    return this.core.db
  }

  get name(): string {
    return this.core.db.name
  }

  /** The latest aggregate snapshot per stream (used by AggregateRepository). */
  get snapshots(): SnapshotStore {
    return new SnapshotStore(this.core.db)
  }

  /** Appends and then runs the sync handlers; resolves with the recorded events. */
  publish(events: NewEvent | readonly NewEvent[], options: AppendOptions = {}): Promise<RecordedEvent[]> {
    return this.publishTracked(events, options)
  }

  /**
   * @internal publish for AggregateRepository: `stored` hears the recorded events as soon as they
   * are stored for good — outside a transaction that is before the sync handlers run, so a
   * handler that throws cannot hide that the append committed.
   */
  publishTracked(
    events: NewEvent | readonly NewEvent[],
    options: AppendOptions,
    stored?: (recorded: RecordedEvent[]) => void,
  ): Promise<RecordedEvent[]> {
    const scope = this.scope()
    return this.mutate(scope, async () => {
      const recorded = await this.appendIn(scope, events, options)
      if (scope.tx) {
        // Inside a transaction, a handler's failure rolls everything back.
        const tx = scope.tx
        await tx.write(() => this.core.broker.dispatch(recorded, scope, (run) => tx.afterCommit(run)))
        stored?.(recorded)
        return recorded
      }
      stored?.(recorded)
      // Already committed: after-commit work runs once this publish is over, whatever the sync handlers did.
      const deferred: Array<() => Promise<void>> = []
      try {
        await this.core.broker.dispatch(recorded, scope, (run) => void deferred.push(run))
      } finally {
        if (deferred.length) setTimeout(() => void deferred.reduce((chain, run) => chain.then(run), Promise.resolve()), 0)
      }
      return recorded
    })
  }

  /** Appends without calling handlers. */
  append(events: NewEvent | readonly NewEvent[], options: AppendOptions = {}): Promise<RecordedEvent[]> {
    const scope = this.scope()
    return this.mutate(scope, () => this.appendIn(scope, events, options))
  }

  /** Adds already stored events to another stream, in the given order. */
  link(eventIds: string | readonly string[], options: LinkOptions): Promise<void> {
    const scope = this.scope()
    return this.mutate(scope, () => this.linkIn(scope, eventIds, options))
  }

  /** Drops the stream's membership and its snapshot; its events stay in the log and in other streams. */
  deleteStream(stream: string): Promise<void> {
    const scope = this.scope()
    return this.mutate(scope, async () => {
      const name = streamName(stream)
      await this.writeIn(scope, (tx) => repository.deleteStream(tx, name), [STREAMS, SNAPSHOTS])
    })
  }

  private async linkIn(scope: Scope, eventIds: string | readonly string[], options: LinkOptions): Promise<void> {
    const ids = (Array.isArray(eventIds) ? eventIds : [eventIds]) as string[]
    const stream = streamName(options?.stream)
    const expected = checkExpectedVersion(options.expectedVersion === undefined ? 'any' : options.expectedVersion)
    const seen = new Set<string>()
    for (const id of ids) {
      if (typeof id !== 'string' || id.length === 0) throw new InvalidEventDataError(undefined, 'an event id must be a non-empty string')
      if (seen.has(id)) throw new EventDuplicatedInStreamError(id, stream)
      seen.add(id)
    }
    if (ids.length === 0) return
    await this.writeIn(scope, (tx) => repository.linkEvents(tx, ids, stream, expected))
  }

  /**
   * Runs a helper's composite operation (several calls on this store, e.g. a repository's load,
   * fn, store) so that inside a transaction it runs in the transaction and its result resumes
   * the caller there too: the app's Dexie calls after `await helper(tx)` still join it.
   */
  within<T>(operation: () => Promise<T>): Promise<T> {
    const scope = this.scope()
    return this.settle(scope, () => this.callIn(scope, operation))
  }

  /** The stream's last position, -1 when it is empty. */
  streamVersion(stream: string): Promise<number> {
    return this.query((tx) => repository.streamVersion(tx, streamName(stream)))
  }

  /** The streams the event is in, in the order it joined them ([] for an unknown event). */
  streamsOf(eventId: string): Promise<string[]> {
    return this.query((tx) => repository.streamsOf(tx, eventId))
  }

  positionInStream(eventId: string, stream: string): Promise<number> {
    return this.query((tx) => repository.positionInStream(tx, eventId, streamName(stream)))
  }

  globalPosition(eventId: string): Promise<number> {
    return this.query((tx) => repository.globalPositionOf(tx, eventId))
  }

  /**
   * @internal AggregateRepository's load: the stream's snapshot, if it has the expected shape and
   * still matches the stream, and the events after it (else the whole stream), in one read.
   */
  readHistory(stream: string, snapshotVersion: number | null): Promise<History> {
    const name = streamName(stream)
    const stores = snapshotVersion === null ? [EVENTS, STREAMS] : [EVENTS, STREAMS, SNAPSHOTS]
    const { upcasters } = this.core
    return this.query(async (tx) => {
      const history = await readHistory(tx, name, snapshotVersion)
      if (!upcasters.isEmpty) history.events = history.events.map((event) => upcasters.apply(event))
      return history
    }, stores)
  }

  subscribe<E extends RecordedEvent = RecordedEvent>(
    handler: EventHandler<E>,
    options: { to: EventTypeRef | readonly EventTypeRef[] },
  ): () => void {
    const refs = (Array.isArray(options?.to) ? options.to : [options?.to]) as EventTypeRef[]
    const types = refs.map((ref) => {
      if (ref == null || (typeof ref !== 'string' && typeof ref !== 'function')) {
        throw new InvalidEventDataError(undefined, 'subscribe needs { to: [event definitions or type names] }')
      }
      return typeOf(ref)
    })
    return this.core.subscriptions.add(handler as EventHandler, types)
  }

  subscribeToAll(handler: EventHandler): () => void {
    return this.core.subscriptions.addGlobal(handler)
  }

  /** Called with the events of every transaction once it has committed (never for an aborted one). */
  onCommit(listener: CommitListener): () => void {
    this.core.commitListeners.add(listener)
    return () => this.core.commitListeners.delete(listener)
  }

  /**
   * Runs fn with a scoped store that adds metadata to every event published through it (an
   * event's own metadata wins). Only the scoped store carries it: the root store called inside
   * fn does not, so other work that runs while fn awaits never picks it up.
   */
  withMetadata<T>(metadata: Metadata, fn: (store: EventStore) => T | Promise<T>): Promise<T> {
    const base = this.scope()
    const scope: Scope = { metadata: { ...base.metadata, ...metadata }, tx: base.tx }
    return this.settle(scope, async () => this.callIn(scope, () => fn(this.scoped(scope))))
  }

  /**
   * Everything fn does through this store (and the app's own Dexie tables) commits together or
   * not at all. fn may await only this store's and this database's work: awaiting a timer or
   * fetch lets IndexedDB commit early; then the calls after it fail with TransactionExpiredError
   * and the transaction rejects with TransactionCommittedEarlyError, naming what did commit.
   * A failed write inside rolls the whole transaction back. Nested calls join the outer one.
   */
  async transaction<T>(fn: (store: EventStore) => T | Promise<T>): Promise<T> {
    const base = this.scope()
    if (base.tx) return this.settle(base, async () => this.callIn(base, () => fn(this.scoped(base))))
    this.assertOpen()
    const { db } = this.core
    let tx: TxContext | undefined
    const early = (cause?: unknown) => new TransactionCommittedEarlyError(tx!.recorded.map((event) => event.eventId), { cause })
    try {
      const result = await db.transaction('rw', db.tables, () => {
        const idbtrans = (Dexie.currentTransaction as unknown as { idbtrans: IDBTransaction }).idbtrans
        tx = new TxContext(idbtrans, (events) => this.committed(events), this.core.onError)
        this.core.openTransactions.set(idbtrans, tx)
        const scope: Scope = { metadata: base.metadata, tx }
        return tx.run(() => fn(this.scoped(scope)))
      })
      tx?.committed()
      if (tx?.committedEarly) throw early()
      return result
    } catch (error) {
      if (error instanceof TransactionCommittedEarlyError) throw error
      if (tx?.committedEarly) throw early(error)
      throw storageError(error)
    } finally {
      if (tx) this.core.openTransactions.delete(tx.idbtrans)
    }
  }

  /**
   * Called once when the store closes for any reason, so whatever is attached to it (a
   * projection runner, a worker's lock, a channel) can stop. Called at once if it is closed.
   */
  onClose(listener: CloseListener): () => void {
    if (this.core.closed) {
      listener(this.core.closeReason ?? 'closed')
      return () => {}
    }
    this.core.closeListeners.add(listener)
    return () => this.core.closeListeners.delete(listener)
  }

  get isClosed(): boolean {
    return this.core.closed
  }

  close(): void {
    closeCore(this.core, 'closed')
    this.core.db.close()
  }

  private scope(): Scope {
    if (this.ownScope) return this.ownScope
    // The root store joins a transaction only from code inside it, which Dexie's zone tracks
    // across awaits; other work that happens to run meanwhile (a UI read, another projection)
    // stays outside it.
    const tx = this.core.openTransactions.get((Dexie.currentTransaction as unknown as { idbtrans?: IDBTransaction } | null)?.idbtrans as IDBTransaction) ?? null
    return tx ? { metadata: ROOT_SCOPE.metadata, tx } : ROOT_SCOPE
  }

  private scoped(scope: Scope): EventStore {
    return new EventStore(this.core, scope)
  }

  /**
   * Runs an operation; errors thrown at once come back through the promise. Inside a
   * transaction the result resumes the caller in the transaction's Dexie zone.
   */
  private settle<T>(scope: Scope, operation: () => Promise<T>): Promise<T> {
    let promise: Promise<T>
    try {
      promise = operation()
    } catch (error) {
      promise = Promise.reject(error)
    }
    return scope.tx ? scope.tx.zoned(promise) : promise
  }

  /** Calls app code (a callback) so that, inside a transaction, its Dexie calls join it. */
  private callIn<T>(scope: Scope, fn: () => T): T {
    return scope.tx ? scope.tx.inZone(fn) : fn()
  }

  /**
   * A write call. Inside a transaction, any failure of it — a refused argument as much as a
   * failed request — rolls the whole transaction back, so a caller that catches it and goes on
   * cannot commit half of what it meant.
   */
  private mutate<T>(scope: Scope, operation: () => Promise<T>): Promise<T> {
    const { tx } = scope
    return this.settle(scope, tx ? () => tx.write(operation) : operation)
  }

  private query<T>(body: (tx: IDBTransaction) => Promise<T>, stores = [EVENTS, STREAMS]): Promise<T> {
    const scope = this.scope()
    return this.settle(scope, () => this.readIn(scope, body, stores))
  }

  private async appendIn(scope: Scope, input: NewEvent | readonly NewEvent[], options: AppendOptions): Promise<RecordedEvent[]> {
    const events = (Array.isArray(input) ? input : [input]) as NewEvent[]
    const stream = options?.stream === undefined ? null : streamName(options.stream)
    const expected = checkExpectedVersion(options?.expectedVersion === undefined ? 'any' : options.expectedVersion)
    if (stream === null && expected !== 'any' && expected !== 'auto') {
      throw new InvalidExpectedVersionError(expected, 'an expected version needs a stream')
    }
    const records = toRecords(events, scope.metadata, this.core.clock(), stream)
    if (records.length === 0) return []
    const recorded = await this.writeIn(scope, (tx) => repository.appendRecords(tx, records, stream, expected))
    if (scope.tx) scope.tx.recorded.push(...recorded)
    else this.committed(recorded)
    return recorded
  }

  private writeIn<T>(scope: Scope, body: (tx: IDBTransaction) => Promise<T>, stores = [EVENTS, STREAMS]): Promise<T> {
    if (scope.tx) return scope.tx.write(body)
    this.assertOpen()
    return runTransaction(this.core.db.backendDB(), stores, 'readwrite', this.core.durability, body)
  }

  private readIn<T>(scope: Scope, body: (tx: IDBTransaction) => Promise<T>, stores: string[]): Promise<T> {
    if (scope.tx) return scope.tx.read(body)
    this.assertOpen()
    return runTransaction(this.core.db.backendDB(), stores, 'readonly', 'default', body)
  }

  private assertOpen(): void {
    if (this.core.closed || !this.core.db.isOpen()) throw new StoreClosedError()
  }

  private committed(events: readonly RecordedEvent[]): void {
    for (const listener of this.core.commitListeners) {
      try {
        listener(events)
      } catch (error) {
        // A listener's bug must not turn a committed append into a failed one.
        this.core.onError(error)
      }
    }
  }
}

/** Marks the store closed and tells every close listener, once. */
export function closeCore(core: StoreCore, reason: CloseReason): void {
  if (core.closed) return
  core.closed = true
  core.closeReason = reason
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

function streamName(stream: unknown): string {
  if (typeof stream !== 'string' || stream.length === 0) throw new IncorrectStreamDataError(stream)
  return stream
}
