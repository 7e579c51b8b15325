// An app's rules for a decider: each event maps to the command that produced it, which the
// decider's own `decide` runs on the state evolved from the stream's stored events.
import { describe, expect, it } from 'vitest'
import { EventNotProducedError, EventOutOfPlaceError, StreamIdMismatchError, defineRules, rulesOf, type CheckedEvent } from '../../../src/eventstore'
import { Added, Closed, TallyClosedError } from '../../support/Tally'
import { tallyDecider } from '../aggregates/tallyDecider'
import { BoardError, CardAdded, CardMoved, Sprint, SprintPlanned, boardDecider } from './board'

const added = (cardId: string, title = 'Plan', boardId = 'b1'): CheckedEvent => ({ type: CardAdded.type, data: { boardId, cardId, title } })
const moved = (cardId: string, column: string, boardId = 'b1'): CheckedEvent => ({ type: CardMoved.type, data: { boardId, cardId, column } })

const boardRules = rulesOf(boardDecider, {
  events: [CardAdded, CardMoved],
  idField: 'boardId',
  producedBy: {
    'Board.CardAdded': ({ data }) => ({ type: 'Add', boardId: data.boardId, cardId: data.cardId, title: data.title }),
    'Board.CardMoved': ({ data }) => ({ type: 'Move', boardId: data.boardId, cardId: data.cardId, column: data.column }),
  },
})
const rules = defineRules({ categories: [boardRules] })

describe('the rules of a decider', () => {
  it('given a board with a card, when the card is moved twice, then each move is decided on the state the one before left', () => {
    expect(() => rules.check('Board$b1', [added('c1')], [moved('c1', 'doing'), moved('c1', 'done')])).not.toThrow()
  })

  it('given a board with card c1, when c1 is added again, then decide’s own error is the refusal', () => {
    expect(() => rules.check('Board$b1', [added('c1')], [added('c1')])).toThrow(new BoardError('Card c1 is already on the board.'))
    expect(() => rules.check('Board$b1', [], [added('c1'), added('c1')])).toThrow(BoardError)
  })

  it('when decide makes something else (a trimmed title), then EventNotProducedError', () => {
    expect(() => rules.check('Board$b1', [], [added('c1', 'Plan ')])).toThrow(
      new EventNotProducedError('Board', 'Board.CardAdded', 'Board$b1', 'the command makes data.title "Plan", not "Plan "'),
    )
  })

  it('given a card in doing, when it is moved to doing, then decide makes nothing and the event is refused, unless the move is repeatable', () => {
    expect(() => rules.check('Board$b1', [added('c1'), moved('c1', 'doing')], [moved('c1', 'doing')])).toThrow(/the command makes no event here/)
    const repeatable = defineRules({
      categories: [
        rulesOf(boardDecider, {
          events: [CardAdded, CardMoved],
          repeatable: [CardMoved],
          producedBy: {
            'Board.CardAdded': ({ data }) => ({ type: 'Add', boardId: data.boardId, cardId: data.cardId, title: data.title }),
            'Board.CardMoved': ({ data }) => ({ type: 'Move', boardId: data.boardId, cardId: data.cardId, column: data.column }),
          },
        }),
      ],
    })
    expect(() => repeatable.check('Board$b1', [added('c1'), moved('c1', 'doing')], [moved('c1', 'doing'), moved('c1', 'done')])).not.toThrow()
  })

  it('places and names like a class: a board’s event in a sprint’s stream, or naming another board, is refused', () => {
    const both = defineRules({
      categories: [boardRules, rulesOf(Sprint, { events: [SprintPlanned], producedBy: { 'Sprint.Planned': () => undefined } })],
    })
    expect(() => both.check('Sprint$b1', [], [added('c1')])).toThrow(EventOutOfPlaceError)
    expect(() => both.check('Board$b2', [], [added('c1')])).toThrow(StreamIdMismatchError)
  })

  it('given a decider whose refusals are plain Errors, when the app says so with isRefusal, then they are refusals', () => {
    const tally = defineRules({
      categories: [
        rulesOf(tallyDecider, {
          events: [Added, Closed],
          producedBy: { 'Tally.Added': ({ data }) => ({ type: 'Add', amount: data.amount }), 'Tally.Closed': ({ data }) => ({ type: 'Close', reason: data.reason }) },
        }),
      ],
      isRefusal: (error) => error instanceof TallyClosedError,
    })
    const closed = [{ type: Closed.type, data: { reason: 'done' } }]
    expect(() => tally.check('Tally$t1', [], [{ type: Added.type, data: { amount: 2 } }])).not.toThrow()
    let error: unknown
    try {
      tally.check('Tally$t1', closed, [{ type: Added.type, data: { amount: 2 } }])
    } catch (thrown) {
      error = thrown
    }
    expect(error).toBeInstanceOf(TallyClosedError)
    expect(tally.isRefusal(error)).toBe(true)
    // Closing a closed tally decides nothing: a second Tally.Closed is not one decide makes.
    expect(() => tally.check('Tally$t1', closed, closed)).toThrow(EventNotProducedError)
    expect(defineRules({ categories: [] }).isRefusal(new TallyClosedError('closed'))).toBe(false)
  })
})
