import { describe, expect, it } from 'vitest'
import { afterCommit, type EventHandler, type EventOf } from '../../../src/eventstore'
import { GIVEN_AT, ScenarioFailedError, givenEvents, type HandlerStandIn } from '../../../src/eventstore/testing'
import { Added, Closed, TallyClosedError, type TallyState } from '../../support/Tally'
import { evolveTally, initialTally, tallyDecider } from '../aggregates/tallyDecider'

const history = [Added({ amount: 2 }, { eventId: 'a1' }), Added({ amount: 3 }, { eventId: 'a2' }), Closed({ reason: 'x' }, { eventId: 'c1' })]

describe('givenEvents(…).whenProjected(…)', () => {
  it('folds the events with an evolve function from an initial state', () => {
    const state = givenEvents(history).whenProjected(evolveTally, initialTally()).thenState({ total: 5, count: 2, closed: true })
    expect(state.total).toBe(5)
  })

  it("takes a decider's initialState and evolve", () => {
    expect(() => givenEvents(history).whenProjected(tallyDecider).thenState({ total: 5, count: 2, closed: true })).not.toThrow()
  })

  it("takes a sync projection's options, handing evolve only the events it names", () => {
    const added = { events: [Added], initial: [] as number[], evolve: (amounts: number[], event: EventOf<typeof Added>) => [...amounts, event.data.amount] }
    expect(givenEvents(history).whenProjected(added).thenState([2, 3])).toEqual([2, 3])
  })

  it('hands evolve the events as recorded: positions 1, 2, … and metadata', () => {
    const seen = givenEvents(history)
      .whenProjected((list: unknown[], event: { globalPosition: number; metadata: { correlationId: string; timestamp: Date } }) => [...list, [event.globalPosition, event.metadata.correlationId, event.metadata.timestamp]], [])
      .thenState([
        [1, 'a1', GIVEN_AT],
        [2, 'a2', GIVEN_AT],
        [3, 'c1', GIVEN_AT],
      ])
    expect(seen).toHaveLength(3)
  })

  it('fails with an assertion error showing both states when they differ', () => {
    const check = () => givenEvents(history).whenProjected(evolveTally, initialTally()).thenState({ total: 6, count: 2, closed: true })
    expect(check).toThrow(ScenarioFailedError)
    expect(check).toThrow(expect.objectContaining({ name: 'AssertionError', showDiff: true, actual: { total: 5, count: 2, closed: true }, expected: { total: 6, count: 2, closed: true } }))
  })

  it('reports an evolve that throws, and can expect it', () => {
    const strict = (state: TallyState, event: { type: string }) => {
      if (state.closed) throw new TallyClosedError(`${event.type} after closing`)
      return evolveTally(state, event as Parameters<typeof evolveTally>[1])
    }
    const late = [...history, Added({ amount: 1 })]
    expect(() => givenEvents(late).whenProjected(strict, initialTally()).thenState(initialTally())).toThrow(/threw TallyClosedError: Tally.Added after closing/)
    const error = givenEvents(late).whenProjected(strict, initialTally()).thenThrows(TallyClosedError, (e) => e.message.startsWith('Tally.Added'))
    expect(error).toBeInstanceOf(TallyClosedError)
    expect(() => givenEvents(history).whenProjected(strict, initialTally()).thenThrows(TallyClosedError)).toThrow(/expected TallyClosedError, but it made the state/)
  })
})

describe('givenEvents(…).whenHandled(handler)', () => {
  // A process manager: once a tally closes, it asks for a receipt.
  const ReceiptRequested = (total: number) => ({ eventId: `receipt-${total}`, type: 'Receipt.Requested', data: { total }, metadata: {} })
  const receipts = (): EventHandler => {
    let total = 0
    return async (event, { store }) => {
      if (Added.is(event)) total += event.data.amount
      if (Closed.is(event)) await store.publish([ReceiptRequested(total)], { stream: 'Receipts' })
    }
  }

  it('records what the handler publishes through its context store, with causation and stream', async () => {
    const outcome = await givenEvents(history).whenHandled(receipts())
    const published = outcome.thenPublishes([{ type: 'Receipt.Requested', data: { total: 5 } }])
    expect(published[0]).toMatchObject({ stream: 'Receipts', globalPosition: 4, metadata: { correlationId: 'c1', causationId: 'c1' } })
    expect('then' in outcome).toBe(false)
  })

  it('fails when it published something else, or nothing', async () => {
    const outcome = await givenEvents(history.slice(0, 2)).whenHandled(receipts())
    expect(() => outcome.thenPublishes([{ type: 'Receipt.Requested', data: { total: 5 } }])).toThrow(/expected events .*\n +but got \[\]/)
    expect(outcome.thenPublishes([])).toEqual([])
  })

  it('runs after-commit work after each handler call, with a context outside the transaction', async () => {
    const contexts: boolean[] = []
    const handler = afterCommit<EventOf<typeof Closed>>((event, context) => {
      contexts.push(context.inTransaction)
      context.afterCommit(async (outside) => {
        contexts.push(outside.inTransaction)
        await outside.store.append([ReceiptRequested(0)])
      })
    })
    const outcome = await givenEvents([Closed({ reason: 'x' })]).whenHandled(handler, { inTransaction: true })
    outcome.thenPublishes([{ type: 'Receipt.Requested', data: { total: 0 } }])
    expect(contexts).toEqual([true, false])
  })

  it('lets the handler call what the test adds to the stand-in store', async () => {
    const handler = async (event: EventOf<typeof Added>, context: HandlerStandIn) => {
      const position: number = await context.store.positionInStream(event.eventId, 'Tally$t1')
      if (position > 0) await context.store.publish([ReceiptRequested(position)])
    }
    const outcome = await givenEvents(history.slice(0, 2)).whenHandled(handler, { store: { positionInStream: async (id: string) => (id === 'a2' ? 1 : 0) } })
    outcome.thenPublishes([{ type: 'Receipt.Requested', data: { total: 1 } }])
  })

  it('stops at a handler that throws: thenPublishes fails, thenThrows (with a predicate) passes', async () => {
    const calls: string[] = []
    const outcome = await givenEvents(history).whenHandled((event) => {
      calls.push(event.eventId)
      if (event.eventId === 'a2') throw new TallyClosedError('no more')
    })
    expect(calls).toEqual(['a1', 'a2'])
    expect(() => outcome.thenPublishes([])).toThrow(/threw TallyClosedError: no more/)
    expect(outcome.thenThrows(TallyClosedError, (e) => e.message === 'no more').message).toBe('no more')
  })

  it('counts a reported error, or failing after-commit work, as the handler failing', async () => {
    const reported = await givenEvents(history).whenHandled((_, context) => context.reportError(new RangeError('lost')))
    reported.thenThrows(RangeError)
    const late = await givenEvents(history).whenHandled((_, context) =>
      context.afterCommit(() => {
        throw new TallyClosedError('late')
      }),
    )
    expect(() => late.thenPublishes([])).toThrow(/threw TallyClosedError: late/)
  })

  it('fails thenThrows when the handler ran without error', async () => {
    const outcome = await givenEvents(history).whenHandled(receipts())
    expect(() => outcome.thenThrows(TallyClosedError)).toThrow(/expected TallyClosedError, but it ran without error, publishing \[\{"type":"Receipt.Requested"/)
  })
})
