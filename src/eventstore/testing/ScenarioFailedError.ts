/**
 * A scenario's outcome is not the expected one. Its `name` is 'AssertionError' and it carries
 * `actual`, `expected` and `showDiff` as chai's and Node's assertion errors do, so vitest (and
 * jest, mocha) report it as a failed assertion and show the difference — without the library
 * importing a test runner or `node:assert` (it runs in the browser too).
 */
export class ScenarioFailedError extends Error {
  override name = 'AssertionError'
  /** What the scenario produced (events as `{ type, data }`, a state, an error's description). */
  actual: unknown
  /** What the test expected, in the same form. */
  expected: unknown
  /** True when actual and expected are worth a diff (events, states); false when only the message says it. */
  showDiff: boolean

  constructor(message: string, comparison?: { actual: unknown; expected: unknown }) {
    super(message)
    this.actual = comparison?.actual
    this.expected = comparison?.expected
    this.showDiff = comparison !== undefined
  }
}
