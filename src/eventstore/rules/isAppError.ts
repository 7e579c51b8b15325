import * as storeErrors from '../errors'
import { EventStoreError } from '../errors'
import { UndeclaredReadError } from './errors'

/** A class `instanceof` can test. */
type ErrorClass = abstract new (...args: never[]) => object

// The store's own failures: a check that meets one of these met a fault (bad stored data, a
// missing handler, a rule reading what it did not declare), never a verdict of the app.
const libraryErrors: readonly ErrorClass[] = [
  ...(Object.values(storeErrors) as unknown[]).filter((value): value is ErrorClass => typeof value === 'function' && value.prototype instanceof EventStoreError),
  UndeclaredReadError,
]

/**
 * Whether `error` is one of the app's own errors as Kiroku apps define them: an instance of the
 * app's subclass of `EventStoreError`, not a bare one nor one of the store's own. Anything not
 * recognised is not one, so a bug is never taken for a verdict.
 */
export function isAppError(error: unknown): boolean {
  if (!(error instanceof EventStoreError) || error.constructor === EventStoreError) return false
  return !libraryErrors.some((type) => error instanceof type)
}
