import type { EventDefinition, NewEvent } from '../events'
import type { AppliedEvent } from './AggregateRoot'

/**
 * The applied form of a definition's events — a union for a union of definitions — which is
 * what a decider's `evolve` switches on: `AppliedEventOf<typeof ItemAdded | typeof ItemRemoved>`.
 */
export type AppliedEventOf<D> = D extends EventDefinition<infer Type, infer Data> ? AppliedEvent<Type, Data> : never

/** What `decide` returns: one new event, several, or none (`[]`). */
export type Decision<Event extends AppliedEvent = AppliedEvent> = (Event & NewEvent) | ReadonlyArray<Event & NewEvent>

/**
 * The functional aggregate, as Emmett's: plain functions over plain state, no class. Its streams
 * are `${name}$${id}`, as a class aggregate's are `${aggregateName}$${id}`, and the repository
 * loads, snapshots and retries both alike.
 */
export interface Decider<State, Command, Event extends AppliedEvent = AppliedEvent> {
  /** Streams are named `${name}$${id}`. */
  readonly name: string
  /** The state of a stream with no events. */
  initialState(): State
  /**
   * The state after one more event. Every event of the stream comes here, so return the state
   * unchanged for a type it does not know (the `default` of an exhaustive `switch`).
   */
  evolve(state: State, event: Event): State
  /** The events a command makes, given the current state; throws a domain error to refuse it. Synchronous. */
  decide(command: Command, state: State): Decision<Event>
  /** Write a snapshot every N stored events; none when unset. The state must be structured-cloneable. */
  readonly snapshotEvery?: number
  /** The shape of the state; raise it when that shape changes and old snapshots are ignored. */
  readonly snapshotVersion?: number
}

/**
 * Declares a decider. Generic arguments are inferred from `evolve`'s and `decide`'s parameters:
 *
 * ```ts
 * type TallyEvent = AppliedEventOf<typeof Added | typeof Closed>
 * const tally = defineDecider({
 *   name: 'Tally',
 *   initialState: () => ({ total: 0, closed: false }),
 *   evolve: (state: TallyState, event: TallyEvent) => { switch (event.type) { … } },
 *   decide: (command: TallyCommand, state: TallyState) => …events…,
 * })
 * ```
 */
export function defineDecider<State, Command, Event extends AppliedEvent = AppliedEvent>(
  decider: Decider<State, Command, Event>,
): Decider<State, Command, Event> {
  if (typeof decider.name !== 'string' || decider.name.length === 0) throw new TypeError('a decider needs a name: its streams are `${name}$${id}`')
  return Object.freeze({ ...decider })
}

/**
 * Runs `decide` and returns its events as an array. A promise is refused: a decision is made on
 * the state it was given, and the repository appends it expecting that state's version.
 */
export function decideEvents<State, Command, Event extends AppliedEvent>(
  decider: Decider<State, Command, Event>,
  command: Command,
  state: State,
): ReadonlyArray<Event & NewEvent> {
  const decision: unknown = decider.decide(command, state)
  if (decision instanceof Promise) throw new TypeError(`${decider.name}'s decide returned a promise: deciders decide synchronously`)
  return Array.isArray(decision) ? decision : [decision as Event & NewEvent]
}

/** The state after the events, in order. */
export const evolveAll = <State, Event extends AppliedEvent>(
  decider: Pick<Decider<State, unknown, Event>, 'evolve'>,
  state: State,
  events: readonly AppliedEvent[],
): State => events.reduce((current, event) => decider.evolve(current, event as Event), state)
