// The checks every scenario shares: events compared by type and data, states deeply, errors by
// class (and a predicate). Each failure is a ScenarioFailedError.
import type { NewEvent } from '../events'
import { ScenarioFailedError } from './ScenarioFailedError'

/** Events as a scenario compares them: by type and data (ids and metadata differ from run to run). */
export type ExpectedEvents = ReadonlyArray<Pick<NewEvent, 'type' | 'data'>>

/** An error class (`InvalidQuantityError`), or an instance compared by class and message. */
export type ExpectedError<E extends Error> = (abstract new (...args: any[]) => E) | E

/** Checks an error beyond its class; only an explicit `false` fails (a predicate may use `expect` and return nothing). */
export type ErrorPredicate<E extends Error> = (error: E) => boolean | void

/** What happened when something was run: a value, or the error it threw. */
export type Ran = { threw: false } | { threw: true; error: unknown }

export const shapes = (events: ReadonlyArray<Pick<NewEvent, 'type' | 'data'>>) => events.map(({ type, data }) => ({ type, data }))

export function expectEvents(label: string, ran: Ran, actual: ExpectedEvents, expected: ExpectedEvents): void {
  const wanted = shapes(expected)
  if (ran.threw) throw new ScenarioFailedError(`${label}: expected events ${show(wanted)}, but it threw ${describeError(ran.error)}`)
  const got = shapes(actual)
  if (!deepEqual(got, wanted)) throw new ScenarioFailedError(`${label}: expected events ${show(wanted)}\n     but got ${show(got)}`, { actual: got, expected: wanted })
}

export function expectState(label: string, ran: Ran, actual: unknown, expected: unknown): void {
  if (ran.threw) throw new ScenarioFailedError(`${label}: expected the state ${show(expected)}, but it threw ${describeError(ran.error)}`)
  if (!deepEqual(actual, expected)) throw new ScenarioFailedError(`${label}: expected the state ${show(expected)}\n     but got ${show(actual)}`, { actual, expected })
}

/** Checks the error `ran` threw; `instead` describes what happened when nothing was thrown. */
export function expectThrown<E extends Error>(label: string, ran: Ran, expected: ExpectedError<E>, predicate: ErrorPredicate<E> | undefined, instead: () => string): E {
  const errorClass = typeof expected === 'function' ? expected : (expected.constructor as abstract new (...args: any[]) => E)
  if (!ran.threw) throw new ScenarioFailedError(`${label}: expected ${errorClass.name}, but ${instead()}`, { actual: undefined, expected: errorClass.name })
  const error = ran.error
  if (!(error instanceof errorClass)) {
    throw new ScenarioFailedError(`${label}: expected ${errorClass.name}, but it threw ${describeError(error)}`, { actual: describeError(error), expected: errorClass.name })
  }
  if (typeof expected !== 'function' && error.message !== expected.message) {
    throw new ScenarioFailedError(`${label}: expected the message "${expected.message}", got "${error.message}"`, { actual: error.message, expected: expected.message })
  }
  if (predicate && predicate(error) === false) {
    throw new ScenarioFailedError(`${label}: ${describeError(error)} was thrown, but it does not match the predicate`)
  }
  return error
}

export const run = (fn: () => unknown): Ran => {
  try {
    const result = fn()
    // A promise would settle after the checks ran, and its rejection would go unseen.
    if (result instanceof Promise) {
      result.catch(() => undefined)
      throw new ScenarioFailedError('the command returned a promise: commands in a scenario are synchronous')
    }
    return { threw: false }
  } catch (error) {
    return { threw: true, error }
  }
}

export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error)
}

export function show(value: unknown): string {
  return JSON.stringify(value)
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime()
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (Array.isArray(a) !== Array.isArray(b)) return false
  if (a instanceof Map && b instanceof Map) return a.size === b.size && [...a].every(([key, value]) => b.has(key) && deepEqual(value, b.get(key)))
  if (a instanceof Set && b instanceof Set) return a.size === b.size && [...a].every((value) => b.has(value))
  const keys = Object.keys(a)
  if (keys.length !== Object.keys(b).length) return false
  return keys.every((key) => Object.hasOwn(b, key) && deepEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]))
}
