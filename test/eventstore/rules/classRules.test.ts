// An app's rules for a class aggregate: each event maps to the command method that produced it,
// and an event is taken only when that command, run on the stream's state, makes that very event.
import { describe, expect, it } from 'vitest'
import {
  EventDataRefusedError,
  EventNotOfCategoryError,
  EventNotProducedError,
  EventOutOfPlaceError,
  InvalidEventDataError,
  RuleRefusalError,
  StreamIdMismatchError,
  UndeclaredReadError,
  defineRules,
  rulesOf,
  streamOf,
  type CheckedEvent,
} from '../../../src/eventstore'
import { Board, BoardError, CardAdded, CardMoved, Pinged, ProfileRenamed, Sprint, SprintPlanned, profileDecider } from './board'

const added = (cardId: string, title = 'Plan', boardId = 'b1'): CheckedEvent => ({ type: CardAdded.type, data: { boardId, cardId, title } })
const moved = (cardId: string, column: string, boardId = 'b1'): CheckedEvent => ({ type: CardMoved.type, data: { boardId, cardId, column } })
const planned = (cardIds: unknown, boardId = 'b1'): CheckedEvent => ({ type: SprintPlanned.type, data: { sprintId: 's1', boardId, cardIds } })

const boardRules = rulesOf(Board, {
  events: [CardAdded, CardMoved],
  idField: 'boardId',
  producedBy: {
    'Board.CardAdded': (board, { data }) => board.add(data.cardId, data.title),
    'Board.CardMoved': (board, { data }) => board.move(data.cardId, data.column),
  },
})
const sprintRules = rulesOf(Sprint, {
  events: [SprintPlanned],
  idField: 'sprintId',
  reads: (event) => [streamOf(Board, event.data.boardId)],
  producedBy: {
    'Sprint.Planned': (sprint, { data }, context) => sprint.plan(context.state(Board, data.boardId), data.boardId, data.cardIds),
  },
})
const profileRules = rulesOf(profileDecider, {
  events: [ProfileRenamed],
  idField: 'userId',
  namedAfterOwner: true,
  producedBy: { 'Profile.Renamed': ({ data }) => ({ userId: data.userId, name: data.name }) },
})
const rules = defineRules({ categories: [boardRules, sprintRules, profileRules], events: [Pinged] })

/** The error `check` throws; fails the test when it takes the events. */
function refusal(stream: string, stored: readonly CheckedEvent[], events: readonly CheckedEvent[], streams?: ReadonlyMap<string, readonly CheckedEvent[]>): unknown {
  try {
    rules.check(stream, stored, events, streams === undefined ? {} : { streams })
  } catch (error) {
    return error
  }
  throw new Error('expected the rules to refuse the events, but they took them')
}

describe('the rules of a class aggregate', () => {
  it('given a board with a card, when the card is moved, then the rules take it', () => {
    expect(() => rules.check('Board$b1', [added('c1')], [moved('c1', 'doing')])).not.toThrow()
  })

  it('given an empty board, when a card is added and moved in one commit, then each is checked on the state the one before left', () => {
    expect(() => rules.check('Board$b1', [], [added('c1'), moved('c1', 'doing'), moved('c1', 'done')])).not.toThrow()
    expect(refusal('Board$b1', [], [added('c1'), added('c1')])).toEqual(new BoardError('Card c1 is already on the board.'))
  })

  it('given a board with card c1, when c1 is added again, then the board’s own error is the refusal', () => {
    const error = refusal('Board$b1', [added('c1')], [added('c1')])
    expect(error).toBeInstanceOf(BoardError)
    expect((error as Error).message).toBe('Card c1 is already on the board.')
    expect(rules.isRefusal(error)).toBe(true)
  })

  it('when the data lists its fields in another order, then it is the command’s event all the same', () => {
    expect(() => rules.check('Board$b1', [], [{ type: CardAdded.type, data: { title: 'Plan', cardId: 'c1', boardId: 'b1' } }])).not.toThrow()
  })
})

describe('placement: a category’s events go in its own streams only', () => {
  it.each(['Sprint$b1', 'misc', 'board$b1', 'Board$', 'Boards$b1'])('when a board’s event is written to %s, then it is refused: its stream is Board$b1', (stream) => {
    const error = refusal(stream, [], [added('c1')])
    expect(error).toBeInstanceOf(EventOutOfPlaceError)
    expect(error).toMatchObject({ category: 'Board', type: 'Board.CardAdded', stream, home: 'Board$b1' })
    expect((error as Error).message).toBe(`A Board.CardAdded event cannot be recorded on a Board: its stream is Board$b1, not ${stream}.`)
  })

  it('when a board’s event naming no board is written elsewhere, then its home is told by its id field', () => {
    expect(refusal('misc', [], [{ type: CardAdded.type, data: { cardId: 'c1', title: 'Plan' } }])).toMatchObject({ home: 'Board$<its boardId>' })
  })

  it('given a stream of no category, when its events are of no category either, then nothing is checked (stored junk included)', () => {
    expect(() => rules.check('misc', [{ type: 'Anything', data: null }], [{ type: Pinged.type, data: { at: 1 } }, { type: 'Unknown.Type', data: 42 }])).not.toThrow()
    expect(rules.governs('misc', [{ type: Pinged.type, data: { at: 1 } }])).toBe(false)
  })

  it('given a board stream, when an event no board makes is written to it, then it is refused as not one of its events', () => {
    const error = refusal('Board$b1', [], [{ type: Pinged.type, data: { at: 1 } }])
    expect(error).toBeInstanceOf(EventNotOfCategoryError)
    expect((error as Error).message).toBe('A Test.Pinged event cannot be recorded on a Board: it is not one of its events.')
  })
})

describe('the id field: each event names its stream’s id', () => {
  it('when an event of Board$b1 names board b2, then it is refused', () => {
    const error = refusal('Board$b1', [], [added('c1', 'Plan', 'b2')])
    expect(error).toBeInstanceOf(StreamIdMismatchError)
    expect(error).toMatchObject({ idField: 'boardId', named: 'b2', id: 'b1' })
    expect((error as Error).message).toBe('A Board.CardAdded event cannot be recorded on a Board: it names board b2, not b1.')
  })

  it('when an event names no board (or not as a string), then it is refused', () => {
    expect((refusal('Board$b1', [], [{ type: CardAdded.type, data: { cardId: 'c1', title: 'Plan' } }]) as Error).message).toContain('it names no board')
    expect(refusal('Board$b1', [], [{ type: CardAdded.type, data: { boardId: 1, cardId: 'c1', title: 'Plan' } }])).toBeInstanceOf(StreamIdMismatchError)
  })

  it('given no idField, when events name any id, then none is compared', () => {
    const loose = defineRules({ categories: [rulesOf(Board, { events: [CardAdded], producedBy: { 'Board.CardAdded': (board, { data }) => board.add(data.cardId, data.title) } })] })
    // The command writes the stream's id, so the event must still name it to be the command's.
    expect(() => loose.check('Board$b1', [], [added('c1', 'Plan', 'b1')])).not.toThrow()
    expect(loose.check.bind(loose, 'Board$b1', [], [added('c1', 'Plan', 'b2')])).toThrow(EventNotProducedError)
  })
})

describe('the command must produce exactly the event', () => {
  it('when the event says what its command would not write (an untrimmed title), then EventNotProducedError tells the difference', () => {
    const error = refusal('Board$b1', [], [added('c1', ' Plan ')])
    expect(error).toBeInstanceOf(EventNotProducedError)
    expect((error as Error).message).toBe('A Board.CardAdded event cannot be recorded on a Board: its command could not have produced it (the command makes data.title "Plan", not " Plan ").')
    expect(rules.isRefusal(error)).toBe(true)
  })

  it('when the event carries a field its command does not write, then it is refused', () => {
    const error = refusal('Board$b1', [], [{ type: CardAdded.type, data: { boardId: 'b1', cardId: 'c1', title: 'Plan', admin: true } }])
    expect(error).toMatchObject({ difference: 'the command makes data.admin none, not true' })
  })

  it('given a card in doing, when it is moved to doing, then the command makes nothing and the event is refused', () => {
    const error = refusal('Board$b1', [added('c1'), moved('c1', 'doing')], [moved('c1', 'doing')])
    expect(error).toBeInstanceOf(EventNotProducedError)
    expect(error).toMatchObject({ difference: 'the command makes no event here' })
  })

  it('given the move is repeatable, when a card is moved to the column it is in, then the event is taken: it changes nothing', () => {
    const repeatable = defineRules({
      categories: [
        rulesOf(Board, {
          events: [CardAdded, CardMoved],
          repeatable: [CardMoved],
          producedBy: { 'Board.CardAdded': (board, { data }) => board.add(data.cardId, data.title), 'Board.CardMoved': (board, { data }) => board.move(data.cardId, data.column) },
        }),
      ],
    })
    expect(() => repeatable.check('Board$b1', [added('c1'), moved('c1', 'doing')], [moved('c1', 'doing'), moved('c1', 'done')])).not.toThrow()
  })

  it('given a repeatable event whose command makes nothing, when the event would change the state, then it is refused', () => {
    const idle = defineRules({
      categories: [
        rulesOf(Board, {
          events: [CardAdded, CardMoved],
          repeatable: [CardMoved],
          producedBy: { 'Board.CardAdded': (board, { data }) => board.add(data.cardId, data.title), 'Board.CardMoved': () => undefined },
        }),
      ],
    })
    expect(() => idle.check('Board$b1', [added('c1')], [moved('c1', 'doing')])).toThrow(EventNotProducedError)
  })

  it('when the command makes another event or two, then it is refused', () => {
    const wrong = defineRules({
      categories: [
        rulesOf(Board, {
          events: [CardAdded, CardMoved],
          producedBy: {
            'Board.CardAdded': (board, { data }) => board.move(data.cardId, 'done'),
            'Board.CardMoved': (board, { data }) => {
              board.move(data.cardId, data.column)
              board.move(data.cardId, 'todo')
            },
          },
        }),
      ],
    })
    expect(() => wrong.check('Board$b1', [added('c1')], [added('c1')])).toThrow(/the command makes Board\.CardMoved\)/)
    expect(() => wrong.check('Board$b1', [added('c1')], [moved('c1', 'doing')])).toThrow(/the command makes 2 events here: Board\.CardMoved, Board\.CardMoved/)
  })
})

describe('data checked by the definitions’ schemas', () => {
  it('when a new event’s data fails its schema, then it is refused with the schema’s issues', () => {
    const error = refusal('Sprint$s1', [], [planned('c1')], new Map([['Board$b1', [added('c1')]]]))
    expect(error).toBeInstanceOf(EventDataRefusedError)
    expect(error).toMatchObject({ issues: ['cardIds: a list of card ids'] })
  })

  it('given stored data that fails its schema, when anything follows it, then the replay fails: a fault, not a refusal', () => {
    const error = refusal('Sprint$s1', [planned('c1')], [planned(['c1'])], new Map([['Board$b1', [added('c1')]]]))
    expect(error).toBeInstanceOf(InvalidEventDataError)
    expect(rules.isRefusal(error)).toBe(false)
  })
})

describe('reads: a rule that needs another stream says so', () => {
  const board = new Map([['Board$b1', [added('c1'), added('c2')]]])

  it('names the streams the new events’ rules read, only for its own category’s events in its own streams', () => {
    expect(rules.reads('Sprint$s1', [planned(['c1'])])).toEqual(['Board$b1'])
    expect(rules.reads('Sprint$s1', [planned(['c1']), planned(['c2'])])).toEqual(['Board$b1'])
    expect(rules.reads('Board$b1', [added('c1')])).toEqual([])
    expect(rules.reads('misc', [planned(['c1'])])).toEqual([])
  })

  it('given the board it reads, when the sprint plans the board’s cards, then it is taken; a card not on the board is refused', () => {
    expect(() => rules.check('Sprint$s1', [], [planned(['c1', 'c2'])], { streams: board })).not.toThrow()
    expect(refusal('Sprint$s1', [], [planned(['c1', 'c9'])], board)).toEqual(new BoardError('Card c9 is not on board b1.'))
  })

  it.each([
    ['no streams given', undefined],
    ['another stream given', new Map([['Board$b2', [added('c1', 'Plan', 'b2')]]])],
    ['the stream given empty', new Map([['Board$b1', []]])],
  ])('given %s, when the sprint is planned, then the rule finds no board and refuses: it fails closed', (_, streams) => {
    expect(refusal('Sprint$s1', [], [planned(['c1'])], streams)).toEqual(new BoardError('There is no board b1.'))
  })

  it('gives the rule the stored events too, and the stream being checked', () => {
    const seen: unknown[] = []
    const spying = defineRules({
      categories: [
        rulesOf(Sprint, {
          events: [SprintPlanned],
          reads: (event) => [`Board$${event.data.boardId}`],
          producedBy: {
            'Sprint.Planned': (sprint, { data }, context) => {
              seen.push(context.stream, context.id, context.events('Board$b1')?.length)
              sprint.plan(context.state(Board, data.boardId), data.boardId, data.cardIds)
            },
          },
        }),
      ],
    })
    spying.check('Sprint$s1', [], [planned(['c1'])], { streams: board })
    expect(seen).toEqual(['Sprint$s1', 's1', 2])
  })

  it('when a rule reads a stream its reads did not name, then UndeclaredReadError: a fault of the rules, not a refusal', () => {
    const sneaky = defineRules({
      categories: [rulesOf(Sprint, { events: [SprintPlanned], producedBy: { 'Sprint.Planned': (sprint, { data }, context) => sprint.plan(context.state(Board, data.boardId), data.boardId, data.cardIds) } })],
    })
    let error: unknown
    try {
      sneaky.check('Sprint$s1', [], [planned(['c1'])], { streams: board })
    } catch (thrown) {
      error = thrown
    }
    expect(error).toBeInstanceOf(UndeclaredReadError)
    expect(error).toMatchObject({ category: 'Sprint', type: 'Sprint.Planned', read: 'Board$b1' })
    expect(sneaky.isRefusal(error)).toBe(false)
  })
})

describe('what the rules say of streams', () => {
  it('know every event definition: each category’s and those given besides, by type', () => {
    expect([...rules.definitions.keys()]).toEqual(['Board.CardAdded', 'Board.CardMoved', 'Sprint.Planned', 'Profile.Renamed', 'Test.Pinged'])
    expect(rules.definitions.get('Board.CardAdded')).toBe(CardAdded)
  })

  it('give a stream’s category by its name <Category>$<id>, and govern its streams and its events anywhere', () => {
    expect(['Board$b1', 'Board$a$b', 'Profile$u1', 'Board$', 'board$b1', 'Pinged$1', 'misc'].map((stream) => rules.categoryOf(stream))).toEqual([
      'Board',
      'Board',
      'Profile',
      undefined,
      undefined,
      undefined,
      undefined,
    ])
    expect(rules.governs('Board$b1', [])).toBe(true)
    expect(rules.governs('misc', [added('c1')])).toBe(true)
    expect(rules.governs('misc', [{ type: Pinged.type, data: { at: 1 } }])).toBe(false)
  })

  it('say who owns a stream named after its owner, and nobody for the others', () => {
    expect(rules.ownerNamedBy('Profile$u1')).toBe('u1')
    expect(['Board$b1', 'Profile$', 'profile$u1', 'misc'].map((stream) => rules.ownerNamedBy(stream))).toEqual([undefined, undefined, undefined, undefined])
  })
})

describe('isRefusal', () => {
  it('takes the rules’ refusals and the app’s own EventStoreError subclasses; a TypeError or the store’s own error is a fault', () => {
    expect(rules.isRefusal(new EventNotProducedError('Board', 'Board.CardAdded', 'Board$b1', 'x'))).toBe(true)
    expect(rules.isRefusal(new RuleRefusalError('Board', 'Board.CardAdded', 'Board$b1', 'no'))).toBe(true)
    expect(rules.isRefusal(new BoardError('no'))).toBe(true)
    expect(rules.isRefusal(new TypeError('oops'))).toBe(false)
    expect(rules.isRefusal(new Error('no'))).toBe(false)
    expect(rules.isRefusal(new InvalidEventDataError('T', 'bad'))).toBe(false)
    expect(rules.isRefusal('no')).toBe(false)
  })

  it('given the app’s own isRefusal, takes what it says besides the rules’ own refusals', () => {
    class Nope extends Error {}
    const own = defineRules({ categories: [boardRules], isRefusal: (error) => error instanceof Nope })
    expect([new Nope('x'), new BoardError('x'), new StreamIdMismatchError('Board', 'T', 's', 'boardId', undefined, 'b1')].map((error) => own.isRefusal(error))).toEqual([true, false, true])
  })
})

describe('defining rules', () => {
  it('refuses a category that says of an event no command that produced it, or names one it does not have', () => {
    // @ts-expect-error: every event needs the command that produced it
    expect(() => rulesOf(Board, { events: [CardAdded, CardMoved], producedBy: { 'Board.CardAdded': () => undefined } })).toThrow(/Board.CardMoved/)
    expect(() => rulesOf(Board, { events: [CardAdded], producedBy: { 'Board.CardAdded': () => undefined, 'Board.Other': () => undefined } as never })).toThrow(/Board.Other/)
    expect(() => rulesOf(Board, { events: [], producedBy: {} })).toThrow(TypeError)
  })

  it('refuses two rules for one category, and one event in two categories', () => {
    expect(() => defineRules({ categories: [boardRules, boardRules] })).toThrow(/Board has rules twice/)
    const alsoAdds = rulesOf(Sprint, { events: [CardAdded], producedBy: { 'Board.CardAdded': () => undefined } })
    expect(() => defineRules({ categories: [boardRules, alsoAdds] })).toThrow(/Board.CardAdded is an event of Board and of Sprint/)
  })
})
