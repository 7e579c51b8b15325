// given(events).when(command).thenEmits(events) / .thenThrows(error): aggregate tests without a
// database. The outcome has no `then` method on purpose: an object with one is a thenable, and
// `await` on it would call it.
import type { AggregateRoot, AggregateType } from '../aggregates'
import type { NewEvent, RecordedEvent } from '../events'

type ExpectedEvents = ReadonlyArray<Pick<NewEvent, 'type' | 'data'>>
type ExpectedError = (abstract new (...args: any[]) => Error) | Error

/** Thrown when a scenario's outcome is not the expected one. */
export class ScenarioFailedError extends Error {
  override name = 'ScenarioFailedError'
}

export interface Scenario<A> {
  /** Runs a command against the aggregate rebuilt from the given events. */
  when(command: (aggregate: A) => unknown): Outcome<A>
}

export interface Outcome<A> {
  /**
   * Asserts the command applied exactly these events (compared by type and data). Throws
   * ScenarioFailedError; returns the aggregate for further checks.
   */
  thenEmits(expected: ExpectedEvents): A
  /**
   * Asserts the command threw this error: a class, or an instance compared by class and
   * message. Throws ScenarioFailedError; returns the aggregate for further checks.
   */
  thenThrows(expected: ExpectedError): A
}

export function given<A extends AggregateRoot<any>>(
  Type: AggregateType<A>,
  events: readonly NewEvent[] = [],
  id = 'given',
): Scenario<A> {
  return {
    when(command) {
      const aggregate = new Type(id)
      events.forEach((event, i) => aggregate.replay({ ...event, metadata: {} as RecordedEvent['metadata'], globalPosition: i + 1 }))
      let thrown: unknown
      try {
        const result = command(aggregate)
        if (result instanceof Promise) throw new ScenarioFailedError('the command returned a promise: aggregate commands are synchronous')
      } catch (error) {
        thrown = error
      }
      return {
        thenEmits(expected) {
          if (thrown !== undefined) throw new ScenarioFailedError(`expected events ${show(expected)}, but the command threw ${describe(thrown)}`)
          const actual = aggregate.unpublishedEvents.map(({ type, data }) => ({ type, data }))
          const wanted = expected.map(({ type, data }) => ({ type, data }))
          if (!deepEqual(actual, wanted)) throw new ScenarioFailedError(`expected events ${show(wanted)}\n     but got ${show(actual)}`)
          return aggregate
        },
        thenThrows(expected) {
          const errorClass = typeof expected === 'function' ? expected : (expected as Error).constructor
          if (thrown === undefined) {
            throw new ScenarioFailedError(`expected ${errorClass.name}, but the command applied ${show(aggregate.unpublishedEvents.map(({ type, data }) => ({ type, data })))}`)
          }
          if (!(thrown instanceof errorClass)) throw new ScenarioFailedError(`expected ${errorClass.name}, but the command threw ${describe(thrown)}`)
          if (typeof expected !== 'function' && (thrown as Error).message !== (expected as Error).message) {
            throw new ScenarioFailedError(`expected the message "${(expected as Error).message}", got "${(thrown as Error).message}"`)
          }
          return aggregate
        },
      }
    },
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error)
}

function show(value: unknown): string {
  return JSON.stringify(value)
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime()
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (Array.isArray(a) !== Array.isArray(b)) return false
  const keys = Object.keys(a)
  if (keys.length !== Object.keys(b).length) return false
  return keys.every((key) => deepEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]))
}
