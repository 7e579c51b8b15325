import type { AggregateRoot, AggregateType, AppliedEvent } from './AggregateRoot'
import type { NewEvent, RecordedEvent } from '../events'
import { WrongExpectedVersionError } from '../errors'
import type { AggregateStore, Snapshot } from './AggregateStore'
import { decideEvents, evolveAll, type Decider } from './Decider'
import { streamOf, type AggregateKind } from './streamOf'

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
  /** Re-run the command against fresh state this many times when another writer got there first. Default 0. */
  retries?: number
}

/** A decider's state and the stream version it includes (-1 for an empty stream). */
export interface LoadedState<State> {
  state: State
  version: number
}

/** What `handle` did: the state and version after the command, and the events it stored (none for an empty decision). */
export interface HandleResult<State> extends LoadedState<State> {
  events: RecordedEvent[]
}

/** How one kind of aggregate is rebuilt: from nothing, from a snapshot (which may throw), event by event. */
interface Rebuild<T> {
  fresh(): T
  restore(snapshot: Snapshot): T
  replay(into: T, event: RecordedEvent): T
}

const snapshotVersionOf = (kind: AggregateKind): number | null => (kind.snapshotEvery ? (kind.snapshotVersion ?? 1) : null)

/** True when storing moved the version across a multiple of `every` (a snapshot is due). */
const snapshotDue = (every: number | undefined, before: number, after: number): every is number =>
  !!every && Math.floor((after + 1) / every) > Math.floor((before + 1) / every)

/**
 * Loads aggregates by replaying their stream (from a snapshot when there is one) and stores their
 * new events expecting the version they were loaded at. Both styles: class aggregates (`load`,
 * `store`, `withAggregate`) and deciders (`loadState`, `handle`).
 */
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
    return this.rebuild(streamOf(Type, id), snapshotVersionOf(Type), {
      fresh: () => new Type(id),
      restore: (snapshot) => {
        const aggregate = new Type(id)
        aggregate.restoreState(snapshot.state)
        aggregate.version = snapshot.version
        return aggregate
      },
      replay: (aggregate, event) => {
        aggregate.replay(event)
        return aggregate
      },
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
      if (snapshotDue(Type.snapshotEvery, before, aggregate.version)) {
        await this.snapshot(Type, stream, aggregate.version, recorded.at(-1)!.eventId, aggregate.snapshotState())
      }
      return recorded
    })
  }

  /** Load, run fn (which applies events), store. With `retries`, a lost race re-runs fn on fresh state. */
  withAggregate<A extends AggregateRoot<any>, R>(
    Type: AggregateType<A>,
    id: string,
    fn: (aggregate: A) => R | Promise<R>,
    options: WithAggregateOptions = {},
  ): Promise<R> {
    return this.retrying(options, async () => {
      const aggregate = await this.load(Type, id)
      const result = await fn(aggregate)
      return async () => {
        await this.store(aggregate)
        return result
      }
    })
  }

  /** A decider's current state: its stream replayed onto `initialState()` (from a snapshot when there is one). */
  loadState<State, Event extends AppliedEvent>(decider: Decider<State, any, Event>, id: string): Promise<LoadedState<State>> {
    return this.rebuild<LoadedState<State>>(streamOf(decider, id), snapshotVersionOf(decider), {
      fresh: () => ({ state: decider.initialState(), version: -1 }),
      restore: (snapshot) => ({ state: snapshot.state as State, version: snapshot.version }),
      replay: ({ state, version }, event) => ({ state: decider.evolve(state, event as unknown as Event), version: version + 1 }),
    })
  }

  /**
   * Loads the decider's state, decides the command on it and appends the events expecting the
   * loaded version. A domain error from `decide` goes to the caller, with nothing written. With
   * `retries`, a lost race (WrongExpectedVersionError) decides again on fresh state.
   */
  handle<State, Command, Event extends AppliedEvent>(
    decider: Decider<State, Command, Event>,
    id: string,
    command: Command,
    options: WithAggregateOptions = {},
  ): Promise<HandleResult<State>> {
    return this.retrying(options, async () => {
      const loaded = await this.loadState(decider, id)
      const events = decideEvents(decider, command, loaded.state)
      return () => this.append(decider, id, loaded, events)
    })
  }

  /** Runs an attempt, then stores what it made; a WrongExpectedVersionError runs it again, `retries` times at most. */
  private retrying<R>(options: WithAggregateOptions, attempt: () => Promise<() => Promise<R>>): Promise<R> {
    return this.events.within(async () => {
      for (let tries = 0; ; tries++) {
        const store = await attempt()
        try {
          return await store()
        } catch (error) {
          if (!(error instanceof WrongExpectedVersionError) || tries >= (options.retries ?? 0)) throw error
        }
      }
    })
  }

  /** Appends a decision expecting the version it was made on, then snapshots when one is due. */
  private async append<State, Event extends AppliedEvent>(
    decider: Decider<State, any, Event>,
    id: string,
    loaded: LoadedState<State>,
    events: readonly NewEvent[],
  ): Promise<HandleResult<State>> {
    const state = evolveAll(decider, loaded.state, events)
    const version = loaded.version + events.length
    if (events.length === 0) return { state, version, events: [] }
    const stream = streamOf(decider, id)
    const recorded = await this.events.publishTracked(events, { stream, expectedVersion: loaded.version })
    if (snapshotDue(decider.snapshotEvery, loaded.version, version)) await this.snapshot(decider, stream, version, recorded.at(-1)!.eventId, state)
    return { state, version, events: recorded }
  }

  private rebuild<T>(stream: string, snapshotVersion: number | null, how: Rebuild<T>): Promise<T> {
    return this.events.within(async () => {
      // One read: the snapshot (if its shape is current and it still matches the stream) and what follows it.
      let history = await this.events.readHistory(stream, snapshotVersion)
      const { snapshot } = history
      if (snapshot) {
        try {
          return this.replay(how, how.restore(snapshot), history.events, { stream, snapshotAt: snapshot.version, eventsReplayed: 0 })
        } catch (error) {
          // Never a wrong state: whatever the snapshot gave is dropped for a full replay.
          history = { ...(await this.events.readHistory(stream, null)), rejected: error instanceof Error ? error.message : String(error) }
        }
      }
      const report: LoadReport = { stream, snapshotAt: null, eventsReplayed: 0 }
      if (history.rejected !== undefined) report.snapshotRejected = history.rejected
      return this.replay(how, how.fresh(), history.events, report)
    })
  }

  private replay<T>(how: Rebuild<T>, start: T, events: readonly RecordedEvent[], report: LoadReport): T {
    const rebuilt = events.reduce(how.replay, start)
    report.eventsReplayed = events.length
    this.options.onLoad?.(report)
    return rebuilt
  }

  private async snapshot(kind: AggregateKind, stream: string, version: number, eventId: string, state: unknown): Promise<void> {
    try {
      await this.events.saveSnapshot({ stream, version, eventId, schemaVersion: kind.snapshotVersion ?? 1, state, takenAt: new Date() })
    } catch (error) {
      // A snapshot only saves time; without it the next load replays a little more.
      this.options.onSnapshotError?.(error, stream)
    }
  }
}
