// defineSync with the app's rules: the rebase check is the rules' check, event by event, and their
// isRefusal decides what a rebase drops.
import { describe, expect, it } from 'vitest'
import { EventNotProducedError, EventStoreError, RuleRefusalError, StreamIdMismatchError, defineRules, rulesOf } from '../../src/eventstore'
import { defineSync, isDomainError } from '../../src/sync'
import { Added, Tally, TallyClosedError } from '../support/Tally'

const rules = defineRules({ categories: [rulesOf(Tally, { events: [Added], producedBy: { 'Tally.Added': (tally, { data }) => tally.add(data.amount) } })] })
const add = (amount: number) => ({ type: Added.type, data: { amount } })

describe('defineSync with rules', () => {
  it('checks a pending event with the rules, on the confirmed events', () => {
    const sync = defineSync({ policies: { Tally: 'rebase' }, rules })
    expect(() => sync.check!('Tally$t1', [add(1)], add(2))).not.toThrow()
    expect(() => sync.check!('Tally$t1', [{ type: 'Tally.Closed', data: { reason: 'x' } }], add(2))).toThrow(TallyClosedError)
    expect(() => sync.check!('other', [], add(2))).toThrow(RuleRefusalError)
  })

  it('takes the rules’ isRefusal by default, and the app’s own when given', () => {
    const byRules = defineSync({ policies: { Tally: 'rebase' }, rules })
    expect(byRules.isRefusal(new EventNotProducedError('Tally', 'Tally.Added', 'Tally$t1', 'x'))).toBe(true)
    expect(byRules.isRefusal(new TallyClosedError('closed'))).toBe(false)
    const own = defineSync({ policies: { Tally: 'rebase' }, rules, isRefusal: (error) => error instanceof TallyClosedError })
    expect(own.isRefusal(new TallyClosedError('closed'))).toBe(true)
  })

  it('still takes a check written by hand, which wins over the rules’ when both are given', () => {
    const calls: string[] = []
    const sync = defineSync({ policies: { Tally: 'rebase' }, rules, check: (stream) => void calls.push(stream) })
    sync.check!('Tally$t1', [], add(-1))
    expect(calls).toEqual(['Tally$t1'])
    expect(defineSync({ policies: { Tally: 'rebase' } }).check).toBeUndefined()
  })
})

describe('isDomainError', () => {
  it('takes the rules’ refusals, and still no other error of the store', () => {
    expect(isDomainError(new StreamIdMismatchError('Tally', 'Tally.Added', 'Tally$t1', 'tallyId', undefined, 't1'))).toBe(true)
    expect(isDomainError(new EventStoreError('bare'))).toBe(false)
  })
})
