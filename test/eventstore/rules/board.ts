// A small Kanban board for the rules' tests, written both ways: a class (Board) and a decider
// (boardDecider), on the same events and streams (Board$<boardId>). A Sprint plans cards of a
// board (its rule reads the board's stream); a Profile stream is named after its owner.
import { AggregateRoot, EventStoreError, defineDecider, defineEvent, type AppliedEventOf, type StandardSchemaV1 } from '../../../src/eventstore'

export const CardAdded = defineEvent<{ boardId: string; cardId: string; title: string }, 'Board.CardAdded'>('Board.CardAdded')
export const CardMoved = defineEvent<{ boardId: string; cardId: string; column: string }, 'Board.CardMoved'>('Board.CardMoved')

/** A schema as a validation library makes one: a sprint's cards are a list of strings. */
const sprintSchema: StandardSchemaV1<{ sprintId: string; boardId: string; cardIds: string[] }> = {
  '~standard': {
    version: 1,
    vendor: 'test',
    validate: (value) => {
      const data = value as { cardIds?: unknown }
      return Array.isArray(data?.cardIds) && data.cardIds.every((id) => typeof id === 'string')
        ? { value: value as { sprintId: string; boardId: string; cardIds: string[] } }
        : { issues: [{ message: 'a list of card ids', path: ['cardIds'] }] }
    },
  },
}
export const SprintPlanned = defineEvent('Sprint.Planned', { schema: sprintSchema })
export const ProfileRenamed = defineEvent<{ userId: string; name: string }, 'Profile.Renamed'>('Profile.Renamed')
/** An event no category governs. */
export const Pinged = defineEvent<{ at: number }, 'Test.Pinged'>('Test.Pinged')

/** The board's own refusal, as an app defines its domain errors. */
export class BoardError extends EventStoreError {
  override name = 'Test.BoardError'
}

export interface BoardState {
  /** Column by card id. */
  cards: Record<string, string>
}

export const emptyBoard = (): BoardState => ({ cards: {} })

export class Board extends AggregateRoot<BoardState> {
  static readonly aggregateName = 'Board'

  constructor(id: string) {
    super(id, emptyBoard())
    this.on(CardAdded, (state, { data }) => ({ cards: { ...state.cards, [data.cardId]: 'todo' } }))
    this.on(CardMoved, (state, { data }) => ({ cards: { ...state.cards, [data.cardId]: data.column } }))
  }

  has(cardId: string): boolean {
    return Object.hasOwn(this.state.cards, cardId)
  }

  /** Titles are kept trimmed. */
  add(cardId: string, title: string): void {
    if (this.has(cardId)) throw new BoardError(`Card ${cardId} is already on the board.`)
    this.apply(CardAdded({ boardId: this.id, cardId, title: title.trim() }))
  }

  /** Moving a card to the column it is in changes nothing, and records nothing. */
  move(cardId: string, column: string): void {
    if (!this.has(cardId)) throw new BoardError(`There is no card ${cardId}.`)
    if (this.state.cards[cardId] === column) return
    this.apply(CardMoved({ boardId: this.id, cardId, column }))
  }
}

export type BoardEvent = AppliedEventOf<typeof CardAdded | typeof CardMoved>
export type BoardCommand = { type: 'Add'; boardId: string; cardId: string; title: string } | { type: 'Move'; boardId: string; cardId: string; column: string }

export const boardDecider = defineDecider({
  name: 'Board',
  initialState: emptyBoard,
  evolve: (state: BoardState, event: BoardEvent): BoardState => {
    switch (event.type) {
      case 'Board.CardAdded':
        return { cards: { ...state.cards, [event.data.cardId]: 'todo' } }
      case 'Board.CardMoved':
        return { cards: { ...state.cards, [event.data.cardId]: event.data.column } }
      default:
        return state
    }
  },
  decide: (command: BoardCommand, state: BoardState) => {
    const known = Object.hasOwn(state.cards, command.cardId)
    switch (command.type) {
      case 'Add':
        if (known) throw new BoardError(`Card ${command.cardId} is already on the board.`)
        return CardAdded({ boardId: command.boardId, cardId: command.cardId, title: command.title.trim() })
      case 'Move':
        if (!known) throw new BoardError(`There is no card ${command.cardId}.`)
        return state.cards[command.cardId] === command.column ? [] : [CardMoved({ boardId: command.boardId, cardId: command.cardId, column: command.column })]
    }
  },
})

export class Sprint extends AggregateRoot<{ planned: boolean }> {
  static readonly aggregateName = 'Sprint'

  constructor(id: string) {
    super(id, { planned: false })
    this.on(SprintPlanned, () => ({ planned: true }))
  }

  /** Plans the sprint with cards that must all be on the board (its state, or undefined for a board nobody wrote). */
  plan(board: Board | undefined, boardId: string, cardIds: string[]): void {
    if (board === undefined) throw new BoardError(`There is no board ${boardId}.`)
    const missing = cardIds.find((cardId) => !board.has(cardId))
    if (missing !== undefined) throw new BoardError(`Card ${missing} is not on board ${boardId}.`)
    this.apply(SprintPlanned({ sprintId: this.id, boardId, cardIds }))
  }
}

export const profileDecider = defineDecider({
  name: 'Profile',
  initialState: () => ({ name: '' }),
  evolve: (_state: { name: string }, event: AppliedEventOf<typeof ProfileRenamed>) => ({ name: event.data.name }),
  decide: (command: { name: string; userId: string }) => ProfileRenamed({ userId: command.userId, name: command.name }),
})
