import { describe, expect, it } from 'vitest'
import { ScenarioFailedError, given } from '../../../src/eventstore/testing'
import { Added, Closed, Tally, TallyClosedError } from '../../support/Tally'

describe('given / when / then', () => {
  it('passes when the command applies exactly the expected events', () => {
    const tally = given(Tally, [Added({ amount: 2 })])
      .when((t) => t.add(3))
      .thenEmits([Added({ amount: 3 })])
    expect(tally.total).toBe(5)
    expect(tally.version).toBe(0)
  })

  it('fails when the events differ, showing both', () => {
    expect(() => given(Tally).when((t) => t.add(3)).thenEmits([Added({ amount: 4 })])).toThrow(ScenarioFailedError)
    expect(() => given(Tally).when((t) => t.add(3)).thenEmits([Added({ amount: 4 })])).toThrow(/"amount":4.*\n.*"amount":3/)
  })

  it('fails when the command applies more events than expected', () => {
    expect(() =>
      given(Tally)
        .when((t) => {
          t.add(1)
          t.add(1)
        })
        .thenEmits([Added({ amount: 1 })]),
    ).toThrow(ScenarioFailedError)
  })

  it('passes when the command throws the expected error class', () => {
    expect(() => given(Tally, [Closed({ reason: 'x' })]).when((t) => t.add(1)).thenThrows(TallyClosedError)).not.toThrow()
  })

  it('compares an expected error instance by class and message', () => {
    const scenario = given(Tally, [Closed({ reason: 'x' })]).when((t) => t.add(1))
    expect(() => scenario.thenThrows(new TallyClosedError('closed'))).not.toThrow()
    expect(() => scenario.thenThrows(new TallyClosedError('other message'))).toThrow(ScenarioFailedError)
  })

  it('fails when an error was expected but events were applied, or the wrong error was thrown', () => {
    expect(() => given(Tally).when((t) => t.add(1)).thenThrows(TallyClosedError)).toThrow(/expected TallyClosedError/)
    expect(() => given(Tally, [Closed({ reason: 'x' })]).when((t) => t.add(1)).thenThrows(RangeError)).toThrow(ScenarioFailedError)
  })

  it('fails when events were expected but the command threw', () => {
    expect(() => given(Tally, [Closed({ reason: 'x' })]).when((t) => t.add(1)).thenEmits([])).toThrow(/threw TallyClosedError/)
  })
})
