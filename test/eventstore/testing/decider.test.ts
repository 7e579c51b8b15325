import { describe, expect, it } from 'vitest'
import { ScenarioFailedError, given } from '../../../src/eventstore/testing'
import { Added, Closed, TallyClosedError } from '../../support/Tally'
import { tallyDecider } from '../aggregates/tallyDecider'

describe('given / when / then on a decider', () => {
  it('decides a command value on the state rebuilt from the given events, returning the state after', () => {
    const state = given(tallyDecider, [Added({ amount: 2 })])
      .when({ type: 'Add', amount: 3 })
      .thenEmits([Added({ amount: 3 })])
    expect(state).toEqual({ total: 5, count: 2, closed: false })
  })

  it('passes for an empty decision when no events are expected', () => {
    expect(given(tallyDecider, [Closed({ reason: 'x' })]).when({ type: 'Close', reason: 'again' }).thenEmits([])).toMatchObject({ closed: true })
  })

  it('fails when the events differ, naming the stream and showing both', () => {
    const scenario = given(tallyDecider, [], 't1').when({ type: 'Add', amount: 3 })
    expect(() => scenario.thenEmits([Added({ amount: 4 })])).toThrow(ScenarioFailedError)
    expect(() => scenario.thenEmits([Added({ amount: 4 })])).toThrow(/^Tally\$t1: expected events .*"amount":4.*\n.*"amount":3/)
  })

  it('passes when decide throws the expected error, returning the state it was given', () => {
    const state = given(tallyDecider, [Closed({ reason: 'x' })]).when({ type: 'Add', amount: 1 }).thenThrows(TallyClosedError)
    expect(state.closed).toBe(true)
  })

  it('fails when an error was expected but events were decided, or events were expected but it threw', () => {
    expect(() => given(tallyDecider).when({ type: 'Add', amount: 1 }).thenThrows(TallyClosedError)).toThrow(/expected TallyClosedError, but the command emitted \[\{"type":"Tally.Added"/)
    expect(() => given(tallyDecider, [Closed({ reason: 'x' })]).when({ type: 'Add', amount: 1 }).thenEmits([])).toThrow(/threw TallyClosedError: closed/)
  })

  it('decides anew for each when, on the same given events', () => {
    const scenario = given(tallyDecider, [Added({ amount: 1 })])
    expect(scenario.when({ type: 'Add', amount: 1 }).thenEmits([Added({ amount: 1 })]).total).toBe(2)
    expect(scenario.when({ type: 'Close', reason: 'r' }).thenEmits([Closed({ reason: 'r' })])).toMatchObject({ total: 1, closed: true })
  })
})
