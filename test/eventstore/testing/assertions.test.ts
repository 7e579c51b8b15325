import { describe, expect, it } from 'vitest'
import { ScenarioFailedError, given } from '../../../src/eventstore/testing'
import { Added, Closed, Tally, TallyClosedError } from '../../support/Tally'
import { tallyDecider } from '../aggregates/tallyDecider'

/** The error a check throws; fails the test when it passes. */
function failureOf(check: () => unknown): ScenarioFailedError {
  try {
    check()
  } catch (error) {
    if (error instanceof ScenarioFailedError) return error
    throw error
  }
  throw new Error('expected the check to fail, but it passed')
}

describe('scenario failures are assertion errors', () => {
  it('is named AssertionError, so test runners report it as a failed assertion', () => {
    const error = failureOf(() => given(Tally).when((t) => t.add(3)).thenEmits([Added({ amount: 4 })]))
    expect(error).toBeInstanceOf(Error)
    expect(error.name).toBe('AssertionError')
    expect(() => given(Tally).when((t) => t.add(3)).thenEmits([Added({ amount: 4 })])).toThrow(expect.objectContaining({ name: 'AssertionError' }))
  })

  it('carries actual and expected events with showDiff, as chai does, for the runner to diff', () => {
    const error = failureOf(() => given(tallyDecider).when({ type: 'Add', amount: 3 }).thenEmits([Added({ amount: 4 })]))
    expect(error).toMatchObject({
      showDiff: true,
      actual: [{ type: 'Tally.Added', data: { amount: 3 } }],
      expected: [{ type: 'Tally.Added', data: { amount: 4 } }],
    })
  })

  it('names the classes when the wrong error was thrown, without a diff of events', () => {
    const error = failureOf(() => given(Tally, [Closed({ reason: 'x' })]).when((t) => t.add(1)).thenThrows(RangeError))
    expect(error).toMatchObject({ name: 'AssertionError', actual: 'TallyClosedError: closed', expected: 'RangeError' })
    expect(error.message).toBe('Tally$given: expected RangeError, but it threw TallyClosedError: closed')
  })

  it('does not look like a promise: awaiting an outcome cannot swallow a check', () => {
    const outcome = given(Tally).when((t) => t.add(1))
    expect('then' in outcome).toBe(false)
    expect('then' in given(tallyDecider).when({ type: 'Add', amount: 1 })).toBe(false)
  })

  it('refuses a command that returns a promise: it would settle after the checks', () => {
    expect(() => given(Tally).when(async (t) => t.add(1)).thenEmits([Added({ amount: 1 })])).toThrow(/returned a promise/)
  })
})

describe('thenThrows with a predicate', () => {
  const closed = () => given(Tally, [Closed({ reason: 'x' })]).when((t) => t.add(1))

  it('passes when the error is of the class and the predicate holds, giving it the typed error', () => {
    expect(() => closed().thenThrows(TallyClosedError, (error) => error.message === 'closed')).not.toThrow()
    expect(() => given(tallyDecider, [Closed({ reason: 'x' })]).when({ type: 'Add', amount: 1 }).thenThrows(TallyClosedError, (e) => e.message === 'closed')).not.toThrow()
  })

  it('fails when the predicate returns false, naming the error', () => {
    expect(() => closed().thenThrows(TallyClosedError, (error) => error.message === 'open')).toThrow(
      'Tally$given: TallyClosedError: closed was thrown, but it does not match the predicate',
    )
  })

  it('lets a predicate assert with expect itself: returning nothing passes, its own failure goes through', () => {
    expect(() => closed().thenThrows(TallyClosedError, (error) => void expect(error.message).toBe('closed'))).not.toThrow()
    expect(() => closed().thenThrows(TallyClosedError, (error) => void expect(error.message).toBe('open'))).toThrow(/expected 'closed' to be 'open'/)
  })

  it('accepts a subclass of the expected class', () => {
    class ClosedForGood extends TallyClosedError {}
    const thrower = () => {
      throw new ClosedForGood('closed')
    }
    expect(() => given(Tally).when(thrower).thenThrows(TallyClosedError, (error) => error instanceof ClosedForGood)).not.toThrow()
  })

  it('does not call the predicate when the class is wrong', () => {
    let called = false
    expect(() =>
      closed().thenThrows(RangeError, () => {
        called = true
        return true
      }),
    ).toThrow(/expected RangeError/)
    expect(called).toBe(false)
  })
})

describe("given's aggregate id", () => {
  it('makes the class aggregate with that id and names its stream in failures', () => {
    const tally = given(Tally, [Added({ amount: 1 })], 't42').when((t) => t.add(1)).thenEmits([Added({ amount: 1 })])
    expect(tally.id).toBe('t42')
    expect(() => given(Tally, [], 't42').when((t) => t.add(1)).thenEmits([])).toThrow(/^Tally\$t42: /)
  })

  it("is 'given' when left out", () => {
    expect(given(Tally).when((t) => t.add(1)).thenEmits([Added({ amount: 1 })]).id).toBe('given')
  })
})
