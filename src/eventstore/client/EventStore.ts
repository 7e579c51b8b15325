import type Dexie from 'dexie'
import type { AggregateStore, History, Snapshot } from '../aggregates'
import { EventDuplicatedInStreamError, IncorrectStreamDataError, InvalidEventDataError, InvalidExpectedVersionError } from '../errors'
import { typeOf, type EventOf, type EventTypeRef, type Metadata, type NewEvent, type RecordedEvent, type Recorded } from '../events'
import type { EventHandler as AnyStoreHandler, HandlerContext as AnyStoreContext } from '../pubsub'
import { EVENTS, SNAPSHOTS, STREAMS, SnapshotStore, checkExpectedVersion, readHistory, repository, toRecords, type ExpectedVersion } from '../storage'
import type { ChangeListener } from './ChangeFeed'
import { Follower, type FollowOptions, type LogFollower } from './LogFollower'
import { ReadQuery } from './ReadQuery'
import { assertOpen, closeCore, notifyCommitted, readIn, writeIn, type CloseListener, type CommitListener, type StoreCore } from './StoreCore'
import { ambientScope, callIn, inTransaction, settle, type Scope } from './Transaction'

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

/** What a handler gets with each event: the store scoped to that event, and when it runs. */
export type HandlerContext = AnyStoreContext<EventStore>
export type EventHandler<E extends RecordedEvent = RecordedEvent> = AnyStoreHandler<E, EventStore>

/**
 * The event store. `openEventStore` gives the root; handlers, `withMetadata` and `transaction`
 * give scoped views of the same store whose calls carry their metadata and transaction.
 */
export class EventStore implements AggregateStore {
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

  /** The latest aggregate snapshot per stream. */
  get snapshots(): SnapshotStore {
    return new SnapshotStore(this.core.db)
  }

  get isClosed(): boolean {
    return this.core.closed
  }

  // Writing

  /**
   * Appends and then runs the sync handlers; resolves with the recorded events, typed as the
   * given ones: `publish([ItemAdded(…)])` gives `EventOf<typeof ItemAdded>[]`.
   */
  publish<E extends NewEvent>(events: E | readonly E[], options: AppendOptions = {}): Promise<Recorded<E>[]> {
    return this.publishTracked(events, options) as Promise<Recorded<E>[]>
  }

  /**
   * publish, for AggregateRepository: `stored` hears the recorded events as soon as they are
   * stored for good — outside a transaction that is before the sync handlers run, so a handler
   * that throws cannot hide that the append committed.
   */
  publishTracked(
    events: NewEvent | readonly NewEvent[],
    options: AppendOptions,
    stored?: (recorded: RecordedEvent[]) => void,
  ): Promise<RecordedEvent[]> {
    const scope = this.scope()
    const { broker } = this.core
    return this.mutate(scope, async () => {
      const recorded = await this.appendIn(scope, events, options)
      if (scope.tx) {
        // Inside a transaction, a handler's failure rolls everything back.
        const tx = scope.tx
        await tx.write(() => broker.dispatch(recorded, scope, (run) => tx.afterCommit(run)))
        stored?.(recorded)
        return recorded
      }
      stored?.(recorded)
      // Already committed: after-commit work runs once this publish is over, whatever the sync handlers did.
      const deferred: Array<() => Promise<void>> = []
      try {
        await broker.dispatch(recorded, scope, (run) => void deferred.push(run))
      } finally {
        if (deferred.length) setTimeout(() => void deferred.reduce((chain, run) => chain.then(run), Promise.resolve()), 0)
      }
      return recorded
    })
  }

  /** Appends without calling handlers; resolves with the recorded events, typed as `publish`'s. */
  append<E extends NewEvent>(events: E | readonly E[], options: AppendOptions = {}): Promise<Recorded<E>[]> {
    const scope = this.scope()
    return this.mutate(scope, () => this.appendIn(scope, events, options)) as Promise<Recorded<E>[]>
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
      await writeIn(this.core, scope, (tx) => repository.deleteStream(tx, name), [STREAMS, SNAPSHOTS])
    })
  }

  /**
   * Takes the stream's events after position `after` out of the log (and the stream's snapshot),
   * resolving with them in stream order: what a replica does to rewrite a stream's unconfirmed
   * tail (sync's rebase). The log's history changes, so deferred projections that already applied
   * those events must be rebuilt. Refused for an event linked into another stream as well.
   */
  truncateStream(stream: string, after: number): Promise<RecordedEvent[]> {
    const scope = this.scope()
    return this.mutate(scope, async () => {
      const name = streamName(stream)
      if (!Number.isInteger(after) || after < -1) throw new InvalidExpectedVersionError(after, 'cut a stream back after a whole-number position ≥ -1')
      const removed = await writeIn(this.core, scope, (tx) => repository.truncateStream(tx, name, after), [EVENTS, STREAMS, SNAPSHOTS])
      // Followers that built state from the removed events hear of it once it has committed.
      if (removed.length && scope.tx) scope.tx.rewritten = true
      else if (removed.length) notifyCommitted(this.core, [], true)
      return removed
    })
  }

  /** Keeps an aggregate's snapshot if its stream still holds its event at its version. */
  saveSnapshot(snapshot: Snapshot): Promise<boolean> {
    return this.within(() => this.snapshots.put(snapshot))
  }

  // Reading (and `read` above)

  /** The stream's last position, -1 when it is empty. */
  streamVersion(stream: string): Promise<number> {
    return this.query((tx) => repository.streamVersion(tx, streamName(stream)))
  }

  /** The streams the event is in, in the order it joined them ([] for an unknown event). */
  streamsOf(eventId: string): Promise<string[]> {
    return this.query((tx) => repository.streamsOf(tx, eventId))
  }

  /** The streams of each of these events (by id, in the order they joined them), in one read. */
  streamsOfEach(eventIds: readonly string[]): Promise<Map<string, string[]>> {
    return this.query(async (tx) => {
      const streams = await Promise.all(eventIds.map((eventId) => repository.streamsOf(tx, eventId)))
      return new Map(eventIds.map((eventId, i) => [eventId, streams[i] as string[]]))
    })
  }

  positionInStream(eventId: string, stream: string): Promise<number> {
    return this.query((tx) => repository.positionInStream(tx, eventId, streamName(stream)))
  }

  globalPosition(eventId: string): Promise<number> {
    return this.query((tx) => repository.globalPositionOf(tx, eventId))
  }

  /**
   * An aggregate's load: the stream's snapshot, if it has the expected shape and still matches
   * the stream, and the events after it (else the whole stream), in one read.
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

  // Handlers and listeners

  /**
   * Calls the handler with each event of the given types. Given definitions, the handler's event
   * is their union: `{ to: [ItemAdded, ItemRemoved] }` gives `EventOf<typeof ItemAdded | typeof
   * ItemRemoved>`; a type name given as a string adds a plain `RecordedEvent`. Subscribed to type
   * names only, a handler may declare the events it expects (the store cannot check that).
   */
  subscribe<R extends EventTypeRef>(handler: EventHandler<EventOf<R>>, options: { to: R | readonly R[] }): () => void
  subscribe<E extends RecordedEvent = RecordedEvent>(handler: EventHandler<E>, options: { to: string | readonly string[] }): () => void
  subscribe(handler: EventHandler<any>, options: { to: EventTypeRef | readonly EventTypeRef[] }): () => void {
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

  /**
   * Called with the events of every transaction of this store once it has committed (never for an
   * aborted one). It hears this store only: for every change to the log, whatever wrote it, use
   * `onChange` or `follow`.
   */
  onCommit(listener: CommitListener): () => void {
    this.core.commitListeners.add(listener)
    return () => this.core.commitListeners.delete(listener)
  }

  /**
   * Called after every change to the log, whatever made it: this store's commits (with their
   * events, in the same frame as `onCommit`), an `importNdjson`, and the commits of every other
   * connection to the same database — other tabs, a worker (sync's pulls), a second
   * `openEventStore` — which each connection announces on the database's BroadcastChannel (with
   * their last position, not their events). A notice, not a delivery: one commit may be told more
   * than once, and a reader reads what it needs. For the events themselves, once each and in
   * order, use `follow`.
   */
  onChange(listener: ChangeListener): () => void {
    if (this.core.closed) return () => undefined
    return this.core.feed.listen(listener)
  }

  /**
   * Delivers the log's events to `listener` once each, in global order, batch by batch: from a
   * position (`after: 0` for the whole log; by default only what is committed from now on), then
   * every change whatever wrote it (see `onChange`). This store's commits are delivered at once,
   * inside the call that committed them; other connections' are read from the log as they are
   * announced. `to` keeps events of some types only, typed as `subscribe`'s are. Stops with the
   * store, or with the returned follower's `stop()`.
   *
   * ```ts
   * const follower = store.follow((events) => events.forEach(show), { after: 0, to: [ItemAdded] })
   * await follower.caughtUp // the log as it was is delivered
   * ```
   */
  follow<R extends EventTypeRef = string>(listener: (events: EventOf<R>[]) => void, options: FollowOptions<R> = {}): LogFollower {
    return new Follower(this.root(), listener as (events: RecordedEvent[]) => void, options as FollowOptions, this.core.onError)
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

  // Scopes and transactions

  /**
   * Runs fn with a scoped store that adds metadata to every event published through it (an
   * event's own metadata wins). Only the scoped store carries it: the root store called inside
   * fn does not, so other work that runs while fn awaits never picks it up.
   */
  withMetadata<T>(metadata: Metadata, fn: (store: EventStore) => T | Promise<T>): Promise<T> {
    const base = this.scope()
    const scope: Scope = { metadata: { ...base.metadata, ...metadata }, tx: base.tx }
    return settle(scope, async () => callIn(scope, () => fn(this.scoped(scope))))
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
    if (base.tx) return settle(base, async () => callIn(base, () => fn(this.scoped(base))))
    assertOpen(this.core)
    return inTransaction(this.core, base.metadata, (scope) => fn(this.scoped(scope)), (events, rewritten) => notifyCommitted(this.core, events, rewritten))
  }

  /**
   * Runs a helper's composite operation (several calls on this store, e.g. a repository's load,
   * fn, store) so that inside a transaction it runs in the transaction and its result resumes
   * the caller there too: the app's Dexie calls after `await helper(tx)` still join it.
   */
  within<T>(operation: () => Promise<T>): Promise<T> {
    const scope = this.scope()
    return settle(scope, () => callIn(scope, operation))
  }

  close(): void {
    closeCore(this.core, 'closed')
    this.core.db.close()
  }

  private scope(): Scope {
    return this.ownScope ?? ambientScope(this.core)
  }

  private scoped(scope: Scope): EventStore {
    return new EventStore(this.core, scope)
  }

  /** This store with no scope of its own: what outlives a call (a follower) reads through it. */
  private root(): EventStore {
    return this.ownScope ? new EventStore(this.core) : this
  }

  /**
   * A write call. Inside a transaction, any failure of it — a refused argument as much as a
   * failed request — rolls the whole transaction back, so a caller that catches it and goes on
   * cannot commit half of what it meant.
   */
  private mutate<T>(scope: Scope, operation: () => Promise<T>): Promise<T> {
    const { tx } = scope
    return settle(scope, tx ? () => tx.write(operation) : operation)
  }

  private query<T>(body: (tx: IDBTransaction) => Promise<T>, stores = [EVENTS, STREAMS]): Promise<T> {
    const scope = this.scope()
    return settle(scope, () => readIn(this.core, scope, body, stores))
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
    const recorded = await writeIn(this.core, scope, (tx) => repository.appendRecords(tx, records, stream, expected))
    if (scope.tx) scope.tx.recorded.push(...recorded)
    else notifyCommitted(this.core, recorded)
    return recorded
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
    await writeIn(this.core, scope, (tx) => repository.linkEvents(tx, ids, stream, expected))
  }
}

function streamName(stream: unknown): string {
  if (typeof stream !== 'string' || stream.length === 0) throw new IncorrectStreamDataError(stream)
  return stream
}
