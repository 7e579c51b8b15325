import { streamOf, type AggregateRoot, type AggregateType } from './AggregateRoot'
import type { RecordedEvent } from '../events'
import { WrongExpectedVersionError } from '../errors'
import type { AggregateStore } from './AggregateStore'

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
    private readonly events: AggregateStore,
    private readonly options: RepositoryOptions = {},
  ) {}

  /** The same repository over another view of the store, e.g. the scoped store of a transaction. */
  using(store: AggregateStore): AggregateRepository {
    return new AggregateRepository(store, this.options)
  }

  load<A extends AggregateRoot<any>>(Type: AggregateType<A>, id: string): Promise<A> {
    return this.events.within(async () => {
      const stream = streamOf(Type, id)
      // One read: the snapshot (if its shape is current and it still matches the stream) and what follows it.
      let history = await this.events.readHistory(stream, Type.snapshotEvery ? (Type.snapshotVersion ?? 1) : null)
      const { snapshot } = history
      if (snapshot) {
        try {
          const aggregate = new Type(id)
          aggregate.restoreState(snapshot.state)
          aggregate.version = snapshot.version
          return this.replay(aggregate, history.events, { stream, snapshotAt: snapshot.version, eventsReplayed: 0 })
        } catch (error) {
          // Never a wrong state: whatever the snapshot gave is dropped for a full replay.
          history = { ...(await this.events.readHistory(stream, null)), rejected: error instanceof Error ? error.message : String(error) }
        }
      }
      const report: LoadReport = { stream, snapshotAt: null, eventsReplayed: 0 }
      if (history.rejected !== undefined) report.snapshotRejected = history.rejected
      return this.replay(new Type(id), history.events, report)
    })
  }

  /**
   * Appends the aggregate's new events, expecting its version. The aggregate counts them as
   * stored as soon as they are: when a sync handler then throws, the call rejects with its
   * error but the aggregate's version has moved on and nothing is left to store again.
   */
  store(aggregate: AggregateRoot<any>): Promise<RecordedEvent[]> {
    const events = aggregate.unpublishedEvents
    if (events.length === 0) return Promise.resolve([])
    return this.events.within(async () => {
      const Type = aggregate.constructor as AggregateType
      const stream = streamOf(Type, aggregate.id)
      const before = aggregate.version
      const recorded = await this.events.publishTracked([...events], { stream, expectedVersion: before }, () => aggregate.markStored(events.length))
      const every = Type.snapshotEvery
      if (every && Math.floor((aggregate.version + 1) / every) > Math.floor((before + 1) / every)) {
        await this.snapshot(aggregate, stream, recorded.at(-1)!.eventId)
      }
      return recorded
    })
  }

  /** Load, run fn (which applies events), store. With `retries`, a lost race re-runs fn on fresh state. */
  async withAggregate<A extends AggregateRoot<any>, R>(
    Type: AggregateType<A>,
    id: string,
    fn: (aggregate: A) => R | Promise<R>,
    options: WithAggregateOptions = {},
  ): Promise<R> {
    return this.events.within(async () => {
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
    })
  }

  private replay<A extends AggregateRoot<any>>(aggregate: A, events: readonly RecordedEvent[], report: LoadReport): A {
    for (const event of events) aggregate.replay(event)
    report.eventsReplayed = events.length
    this.options.onLoad?.(report)
    return aggregate
  }

  private async snapshot(aggregate: AggregateRoot<any>, stream: string, eventId: string): Promise<void> {
    const Type = aggregate.constructor as AggregateType
    try {
      await this.events.saveSnapshot({
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
