// given(events).when(command).thenEmits(events) / .thenThrows(error): aggregate tests without a
// database, for both styles. The outcome has no `then` method on purpose: an object with one is a
// thenable, and `await` on it would call it.
import { decideEvents, evolveAll, streamOf, type AggregateRoot, type AggregateType, type AppliedEvent, type Decider } from '../aggregates'
import type { NewEvent, RecordedEvent } from '../events'
import { asRecorded } from './asRecorded'
import { expectEvents, expectThrown, run, show, shapes, type ErrorPredicate, type ExpectedError, type ExpectedEvents } from './compare'

/** A class aggregate rebuilt from the given events, waiting for a command. */
export interface Scenario<A> {
  /** Runs a command (a function of the aggregate) against the aggregate rebuilt from the given events. */
  when(command: (aggregate: A) => unknown): Outcome<A>
}

/** A decider's state rebuilt from the given events, waiting for a command. */
export interface DeciderScenario<State, Command> {
  /** Decides the command (a value, as `repository.handle` takes it) on the state rebuilt from the given events. */
  when(command: Command): Outcome<State>
}

/**
 * What a command did. Both checks are synchronous and throw a ScenarioFailedError (named
 * 'AssertionError') on a mismatch. They return what was tested for further checks: the
 * aggregate, or for a decider its state (after the emitted events; before, when it threw).
 */
export interface Outcome<T> {
  /** Asserts the command emitted exactly these events, in order, compared by type and data. */
  thenEmits(expected: ExpectedEvents): T
  /**
   * Asserts the command threw this error: a class, or an instance compared by class and message;
   * then, when given, `predicate(error)` must not return false (it may also use `expect` itself).
   */
  thenThrows<E extends Error>(expected: ExpectedError<E>, predicate?: ErrorPredicate<E>): T
}

/**
 * Starts a scenario: the aggregate kind (a class or a decider), the events already in its stream,
 * and the aggregate's id. A class aggregate is made with `new Type(id)`, so `aggregate.id` is it
 * (commands that put their own id in events see it); a decider gets no id (its commands carry
 * theirs). Failures name the stream, `${name}$${id}`.
 */
export function given<A extends AggregateRoot<any>>(Type: AggregateType<A>, events?: readonly NewEvent[], id?: string): Scenario<A>
export function given<State, Command, Event extends AppliedEvent>(
  decider: Decider<State, Command, Event>,
  events?: readonly NewEvent[],
  id?: string,
): DeciderScenario<State, Command>
export function given(
  kind: AggregateType | Decider<unknown, unknown, AppliedEvent>,
  events: readonly NewEvent[] = [],
  id = 'given',
): Scenario<AggregateRoot<unknown>> | DeciderScenario<unknown, unknown> {
  const label = streamOf(kind, id)
  const history = asRecorded(events)
  if (typeof kind === 'function') {
    return { when: (command: (aggregate: AggregateRoot<unknown>) => unknown) => whenClass(label, replayed(new kind(id), history), command) }
  }
  return { when: (command: unknown) => whenDecider(label, kind, evolveAll(kind, kind.initialState(), history), command) }
}

function replayed<A extends AggregateRoot<any>>(aggregate: A, history: readonly RecordedEvent[]): A {
  for (const event of history) aggregate.replay(event)
  return aggregate
}

function whenClass<A extends AggregateRoot<any>>(label: string, aggregate: A, command: (aggregate: A) => unknown): Outcome<A> {
  const ran = run(() => command(aggregate))
  return {
    thenEmits(expected) {
      expectEvents(label, ran, aggregate.unpublishedEvents, expected)
      return aggregate
    },
    thenThrows(expected, predicate) {
      expectThrown(label, ran, expected, predicate, () => `the command emitted ${show(shapes(aggregate.unpublishedEvents))}`)
      return aggregate
    },
  }
}

function whenDecider<State, Command>(label: string, decider: Decider<State, Command, AppliedEvent>, state: State, command: Command): Outcome<State> {
  let emitted: readonly NewEvent[] = []
  const ran = run(() => {
    emitted = decideEvents(decider, command, state)
  })
  return {
    thenEmits(expected) {
      expectEvents(label, ran, emitted, expected)
      return evolveAll(decider, state, emitted)
    },
    thenThrows(expected, predicate) {
      expectThrown(label, ran, expected, predicate, () => `the command emitted ${show(shapes(emitted))}`)
      return state
    },
  }
}
