// The default answer to "is this error the domain refusing an event?" for a rebase's check. A
// wrong answer one way deletes the user's pending work (a bug taken for a verdict), so anything
// not recognised is not a refusal.
import * as kiroku from '../eventstore'
import { EventStoreError, RuleRefusalError } from '../eventstore'

/** A class `instanceof` can test. */
type ErrorClass = abstract new (...args: never[]) => object

let storeErrors: readonly ErrorClass[] | undefined

/**
 * Whether `error` is a domain error as Kiroku apps define them: an instance of an app's own
 * subclass of the store's `EventStoreError` (such as an app's `DomainError`), and not one of the
 * store's own errors (`StorageError`, `MissingHandlerError`, …) nor a bare `EventStoreError`; or
 * a refusal of the app's rules (`RuleRefusalError`: an event its commands could not have made).
 * A TypeError, a RangeError or a plain `Error` is not one.
 */
export function isDomainError(error: unknown): boolean {
  if (error instanceof RuleRefusalError) return true
  if (!(error instanceof EventStoreError) || error.constructor === EventStoreError) return false
  // Every error class the store exports is one of its own failures; an app's domain errors are
  // never among them. Read from the exports (once, on first use) so that a new one counts too.
  storeErrors ??= (Object.values(kiroku) as unknown[]).filter((value): value is ErrorClass => typeof value === 'function' && value.prototype instanceof EventStoreError)
  return !storeErrors.some((type) => error instanceof type)
}
