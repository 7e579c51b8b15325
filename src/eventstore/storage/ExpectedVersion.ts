import { InvalidExpectedVersionError, WrongExpectedVersionError } from '../errors'

/**
 * - `'any'`: no check. `'none'`: the stream must be empty. A number: the stream's version (its
 *   last position, -1 when empty) must equal it. `'auto'`: the same as `'any'` here — every
 *   append reads the stream's version inside its own transaction, and readwrite transactions on
 *   the same stores never overlap, so positions are gapless either way (RailsEventStore's
 *   distinction between the two matters on SQL, not on IndexedDB).
 */
export type ExpectedVersion = number | 'any' | 'none' | 'auto'

export function checkExpectedVersion(expected: unknown): ExpectedVersion {
  if (expected === 'any' || expected === 'none' || expected === 'auto') return expected
  if (typeof expected === 'number' && Number.isSafeInteger(expected) && expected >= -1) return expected
  throw new InvalidExpectedVersionError(expected)
}

/** Throws WrongExpectedVersionError unless `actual` (the stream's version now) satisfies `expected`. */
export function assertVersion(stream: string, expected: ExpectedVersion, actual: number): void {
  if (expected === 'none' && actual !== -1) throw new WrongExpectedVersionError(stream, 'none', actual)
  if (typeof expected === 'number' && actual !== expected) throw new WrongExpectedVersionError(stream, expected, actual)
}
