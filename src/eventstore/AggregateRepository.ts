import { streamOf, type AggregateRoot, type AggregateType } from './AggregateRoot'
import type { RecordedEvent } from './Event'
import { WrongExpectedVersionError } from './errors'
import type { EventStore } from './EventStore'
import type { SnapshotRecord } from './schema'

/** What one load did: the devtools and the tests read it to see what a snapshot saves. */
export interface LoadReport {
  stream: string
  /** The stream version of the snapshot restored, or null for a full replay. */
  snapshotAt: number | null
  eventsReplayed: number
  /** Why a snapshot was there but not used. */
  snapshotRejected?: string
}

export interface RepositoryOptions {
  onLoad?: (report: LoadReport) => void
  /** A snapshot could not be written; the events are stored all the same. */
  onSnapshotError?: (error: unknown, stream: string) => void
}

export interface WithAggregateOptions {
  /** Re-run fn against fresh state this many times when another writer got there first. Default 0. */
  retries?: number
}

/** Loads aggregates by replaying their stream (from a snapshot when there is one) and stores their new events. */
export class AggregateRepository {
  constructor(
    private readonly events: EventStore,
    private readonly options: RepositoryOptions = {},
  ) {}

  /** The same repository over another view of the store, e.g. the scoped store of a transaction. */
  using(store: EventStore): AggregateRepository {
    return new AggregateRepository(store, this.options)
  }

  async load<A extends AggregateRoot<any>>(Type: AggregateType<A>, id: string): Promise<A> {
    const stream = streamOf(Type, id)
    let snapshotRejected: string | undefined
    const snapshot = Type.snapshotEvery ? await this.events.snapshots.get(stream) : undefined
    if (snapshot) {
      try {
        return await this.fromSnapshot(Type, id, snapshot)
      } catch (error) {
        // Never a wrong state: whatever the snapshot gave is dropped for a full replay.
        snapshotRejected = error instanceof Error ? error.message : String(error)
      }
    }
    const report: LoadReport = { stream, snapshotAt: null, eventsReplayed: 0 }
    if (snapshotRejected !== undefined) report.snapshotRejected = snapshotRejected
    return this.replay(new Type(id), this.events.read.stream(stream), report)
  }

  /** Appends the aggregate's new events, expecting its version; clears them only once stored. */
  async store(aggregate: AggregateRoot<any>): Promise<RecordedEvent[]> {
    const events = aggregate.unpublishedEvents
    if (events.length === 0) return []
    const Type = aggregate.constructor as AggregateType
    const stream = streamOf(Type, aggregate.id)
    const before = aggregate.version
    const recorded = await this.events.publish([...events], { stream, expectedVersion: before })
    aggregate.markStored(events.length)
    const every = Type.snapshotEvery
    if (every && Math.floor((aggregate.version + 1) / every) > Math.floor((before + 1) / every)) {
      await this.snapshot(aggregate, stream, recorded.at(-1)!.eventId)
    }
    return recorded
  }

  /** Load, run fn (which applies events), store. With `retries`, a lost race re-runs fn on fresh state. */
  async withAggregate<A extends AggregateRoot<any>, R>(
    Type: AggregateType<A>,
    id: string,
    fn: (aggregate: A) => R | Promise<R>,
    options: WithAggregateOptions = {},
  ): Promise<R> {
    for (let attempt = 0; ; attempt++) {
      const aggregate = await this.load(Type, id)
      const result = await fn(aggregate)
      try {
        await this.store(aggregate)
        return result
      } catch (error) {
        if (!(error instanceof WrongExpectedVersionError) || attempt >= (options.retries ?? 0)) throw error
      }
    }
  }

  private async fromSnapshot<A extends AggregateRoot<any>>(Type: AggregateType<A>, id: string, snapshot: SnapshotRecord): Promise<A> {
    const expected = Type.snapshotVersion ?? 1
    if (snapshot.schemaVersion !== expected) throw new Error(`snapshot shape ${snapshot.schemaVersion}, aggregate expects ${expected}`)
    // The snapshot must still match the stream: the same event at the same position.
    const position = await this.events.positionInStream(snapshot.eventId, snapshot.stream).catch(() => null)
    if (position !== snapshot.version) throw new Error('the stream no longer matches the snapshot')
    const aggregate = new Type(id)
    aggregate.restoreState(snapshot.state)
    aggregate.version = snapshot.version
    const report: LoadReport = { stream: snapshot.stream, snapshotAt: snapshot.version, eventsReplayed: 0 }
    return this.replay(aggregate, this.events.read.stream(snapshot.stream).from(snapshot.eventId), report)
  }

  private async replay<A extends AggregateRoot<any>>(aggregate: A, query: EventStore['read'], report: LoadReport): Promise<A> {
    // One read transaction: a stream is one key range.
    const events = await query.toArray()
    for (const event of events) aggregate.replay(event)
    report.eventsReplayed = events.length
    this.options.onLoad?.(report)
    return aggregate
  }

  private async snapshot(aggregate: AggregateRoot<any>, stream: string, eventId: string): Promise<void> {
    const Type = aggregate.constructor as AggregateType
    try {
      await this.events.snapshots.put({
        stream,
        version: aggregate.version,
        eventId,
        schemaVersion: Type.snapshotVersion ?? 1,
        state: aggregate.snapshotState(),
        takenAt: new Date(),
      })
    } catch (error) {
      // A snapshot only saves time; without it the next load replays a little more.
      this.options.onSnapshotError?.(error, stream)
    }
  }
}
