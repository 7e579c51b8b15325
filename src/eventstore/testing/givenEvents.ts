// givenEvents(events).whenProjected(…).thenState(…) and .whenHandled(handler).thenPublishes(…):
// read models and event handlers tested without a database. The handler gets an in-memory
// stand-in for its context; nothing here touches storage.
import { typeOf, type EventTypeRef, type NewEvent, type RecordedEvent } from '../events'
import { GIVEN_AT, asRecorded } from './asRecorded'
import { expectEvents, expectState, expectThrown, run, shapes, show, type ErrorPredicate, type ExpectedError, type ExpectedEvents, type Ran } from './compare'

/**
 * What can be projected: an evolve function with its initial state, a decider (`initialState()`),
 * or the options of a sync projection (`{ events?, initial, evolve }`, whose `events` filter).
 */
export type ProjectionLike<State, Event> =
  | { initialState(): State; evolve(state: State, event: Event): State }
  | { initial: State; evolve(state: State, event: Event): State; events?: readonly EventTypeRef[] }

/** An event the handler published or appended through its context's store. */
export interface PublishedEvent extends RecordedEvent {
  /** The stream it was published to, if any. */
  readonly stream: string | undefined
}

/**
 * The context a handler gets here, shaped as the store's HandlerContext. Its `store` has
 * `publish` and `append`, which record the events (with the cause's correlation and causation,
 * as the real scoped store does) and call no handler; add what else the handler calls with
 * `whenHandled(handler, { store: { … } })`.
 */
export interface HandlerStandIn {
  readonly store: any
  readonly inTransaction: boolean
  readonly detached: HandlerStandIn
  /** Runs fn once the handler has returned, as after the commit; its failure counts as the handler's. */
  afterCommit(fn: (context: HandlerStandIn) => unknown): void
  /** A reported error counts as the handler's failure. */
  reportError(error: unknown): void
}

export interface WhenHandledOptions {
  /** More methods for the stand-in store (`positionInStream`, `read`, …), beside `publish` and `append`. */
  store?: Record<string, unknown>
  /** What `context.inTransaction` says; after-commit work runs after each handler call either way. Default false. */
  inTransaction?: boolean
}

export interface ProjectedOutcome<State> {
  /** Asserts the state after the events, compared deeply (Date, Map and Set by content). Returns it. */
  thenState(expected: State): State
  /** Asserts the projection threw this error (class or instance; predicate as `given`'s). Returns it. */
  thenThrows<E extends Error>(expected: ExpectedError<E>, predicate?: ErrorPredicate<E>): E
}

/** What the handler did with the events. No `then` method: `await` on it cannot swallow a check. */
export interface HandledOutcome {
  /** Everything it published or appended, in order. */
  readonly published: readonly PublishedEvent[]
  /** Asserts it published exactly these events (by type and data) and neither threw nor reported an error. Returns them. */
  thenPublishes(expected: ExpectedEvents): readonly PublishedEvent[]
  /** Asserts it threw (or reported, or its after-commit work threw) this error. Returns it. */
  thenThrows<E extends Error>(expected: ExpectedError<E>, predicate?: ErrorPredicate<E>): E
}

export interface EventsScenario {
  /** Folds the events into a state: `whenProjected(evolve, initialState)` or `whenProjected(decider or sync projection options)`. */
  whenProjected<State, Event>(evolve: (state: State, event: Event) => State, initialState: State): ProjectedOutcome<State>
  whenProjected<State, Event>(projection: ProjectionLike<State, Event>): ProjectedOutcome<State>
  /** Calls the handler with each event in order (awaiting it and its after-commit work), stopping at the first failure. */
  whenHandled<Event extends RecordedEvent>(
    handler: (event: Event, context: HandlerStandIn) => unknown,
    options?: WhenHandledOptions,
  ): Promise<HandledOutcome>
}

/**
 * Starts a read-model or handler scenario from events, recorded as the store would hand them
 * back (positions 1, 2, …; metadata as `asRecorded` fills it in).
 */
export function givenEvents(events: ReadonlyArray<NewEvent | RecordedEvent> = []): EventsScenario {
  const history = asRecorded(events)
  return {
    whenProjected<State, Event>(projection: ProjectionLike<State, Event> | ((state: State, event: Event) => State), initialState?: State) {
      const { evolve, initial, types } =
        typeof projection === 'function'
          ? { evolve: projection, initial: initialState as State, types: null }
          : 'initialState' in projection
            ? { evolve: projection.evolve, initial: projection.initialState(), types: null }
            : { evolve: projection.evolve, initial: projection.initial, types: projection.events?.map(typeOf) ?? null }
      let state = initial
      const ran = run(() => {
        for (const event of history) if (!types || types.includes(event.type)) state = evolve(state, event as Event)
      })
      return {
        thenState: (expected) => {
          expectState('the projection', ran, state, expected)
          return state
        },
        thenThrows: (expected, predicate) => expectThrown('the projection', ran, expected, predicate, () => `it made the state ${show(state)}`),
      }
    },

    async whenHandled(handler, options = {}) {
      const published: PublishedEvent[] = []
      const failures: unknown[] = []
      for (const event of history) {
        try {
          const pending: Array<(context: HandlerStandIn) => unknown> = []
          const context = standIn(event, options.inTransaction ?? false, { published, failures, pending, position: () => history.length + published.length, extra: options.store })
          await handler(event as Parameters<typeof handler>[0], context)
          // The "commit": after-commit work, including what it schedules in turn.
          for (let fn = pending.shift(); fn; fn = pending.shift()) await fn(context.detached)
        } catch (error) {
          failures.push(error)
        }
        if (failures.length > 0) break
      }
      const ran: Ran = failures.length > 0 ? { threw: true, error: failures[0] } : { threw: false }
      return {
        published,
        thenPublishes(expected) {
          expectEvents('the handler', ran, published, expected)
          return published
        },
        thenThrows: (expected, predicate) =>
          expectThrown('the handler', ran, expected, predicate, () => `it ran without error, publishing ${show(shapes(published))}`),
      }
    },
  }
}

interface StandInState {
  published: PublishedEvent[]
  failures: unknown[]
  pending: Array<(context: HandlerStandIn) => unknown>
  position: () => number
  extra: Record<string, unknown> | undefined
}

function standIn(cause: RecordedEvent, inTransaction: boolean, shared: StandInState): HandlerStandIn {
  const record = async (events: readonly NewEvent[], options: { stream?: string } = {}): Promise<RecordedEvent[]> =>
    events.map((event) => {
      const recorded: PublishedEvent = {
        eventId: event.eventId,
        type: event.type,
        data: event.data,
        metadata: { correlationId: cause.metadata.correlationId, causationId: cause.eventId, timestamp: GIVEN_AT, validAt: GIVEN_AT, ...event.metadata },
        globalPosition: shared.position() + 1,
        stream: options.stream,
      }
      shared.published.push(recorded)
      return recorded
    })
  const context: HandlerStandIn = {
    store: { ...shared.extra, publish: record, append: record },
    inTransaction,
    get detached() {
      return inTransaction ? standIn(cause, false, shared) : context
    },
    afterCommit: (fn) => void shared.pending.push(fn),
    reportError: (error) => void shared.failures.push(error),
  }
  return context
}
