// A small app that is not the shop, for the sync test kit's own tests: Kanban boards whose cards
// move between columns (a class aggregate; `rebase` on a conflict), and sprints that are started
// and closed once (a decider; `reject` on a conflict). Its rules are the app's own commands, for
// the server's check of pushes and the devices' rebase alike.
import { AggregateRoot, defineDecider, defineEvent, defineProjection, defineRules, EventStoreError, rulesOf, type AppliedEventOf } from '../../../../src/eventstore'
import { defineSync } from '../../../../src/sync'

export const COLUMNS = ['todo', 'doing', 'done'] as const
export type Column = (typeof COLUMNS)[number]
/** Cards a board's `doing` column may hold at once. */
export const WIP_LIMIT = 2

export const CardAdded = defineEvent<{ boardId: string; cardId: string; title: string }, 'Board.CardAdded'>('Board.CardAdded')
export const CardMoved = defineEvent<{ boardId: string; cardId: string; column: Column }, 'Board.CardMoved'>('Board.CardMoved')
export const SprintStarted = defineEvent<{ sprintId: string; goal: string }, 'Sprint.Started'>('Sprint.Started')
export const SprintClosed = defineEvent<{ sprintId: string }, 'Sprint.Closed'>('Sprint.Closed')

/** The app's refusals: a subclass of EventStoreError, so rules and rebase take them for verdicts. */
export class KanbanError extends EventStoreError {
  override name = 'KanbanError'
  constructor(
    readonly code: 'card_exists' | 'unknown_card' | 'already_there' | 'wip_limit' | 'already_started' | 'not_open',
    message: string,
  ) {
    super(message, { code })
  }
}

export interface BoardState {
  cards: Record<string, { title: string; column: Column }>
}

export class Board extends AggregateRoot<BoardState> {
  static readonly aggregateName = 'Board'

  constructor(id: string) {
    super(id, { cards: {} })
    this.on(CardAdded, (state, { data }) => ({ cards: { ...state.cards, [data.cardId]: { title: data.title, column: 'todo' } } }))
    this.on(CardMoved, (state, { data }) => ({ cards: { ...state.cards, [data.cardId]: { ...(state.cards[data.cardId] as { title: string }), column: data.column } } }))
  }

  get cards(): BoardState['cards'] {
    return this.state.cards
  }

  add(cardId: string, title: string): void {
    if (this.state.cards[cardId]) throw new KanbanError('card_exists', `Card ${cardId} is on the board already.`)
    this.apply(CardAdded({ boardId: this.id, cardId, title }))
  }

  move(cardId: string, column: Column): void {
    const card = this.state.cards[cardId]
    if (!card) throw new KanbanError('unknown_card', `Card ${cardId} is not on the board.`)
    if (card.column === column) throw new KanbanError('already_there', `Card ${cardId} is in ${column} already.`)
    const doing = Object.values(this.state.cards).filter((c) => c.column === 'doing').length
    if (column === 'doing' && doing >= WIP_LIMIT) throw new KanbanError('wip_limit', `Doing holds ${WIP_LIMIT} cards already.`)
    this.apply(CardMoved({ boardId: this.id, cardId, column }))
  }
}

type SprintState = { status: 'none' | 'open' | 'closed'; goal: string }
type SprintCommand = { type: 'Start'; sprintId: string; goal: string } | { type: 'Close'; sprintId: string }

export const Sprint = defineDecider({
  name: 'Sprint',
  initialState: (): SprintState => ({ status: 'none', goal: '' }),
  evolve: (state: SprintState, event: AppliedEventOf<typeof SprintStarted | typeof SprintClosed>): SprintState => {
    switch (event.type) {
      case 'Sprint.Started':
        return { status: 'open', goal: event.data.goal }
      case 'Sprint.Closed':
        return { ...state, status: 'closed' }
      default:
        return state
    }
  },
  decide: (command: SprintCommand, state: SprintState) => {
    switch (command.type) {
      case 'Start':
        if (state.status !== 'none') throw new KanbanError('already_started', `Sprint ${command.sprintId} has started already.`)
        return SprintStarted({ sprintId: command.sprintId, goal: command.goal })
      case 'Close':
        if (state.status !== 'open') throw new KanbanError('not_open', `Sprint ${command.sprintId} is not open.`)
        return SprintClosed({ sprintId: command.sprintId })
    }
  },
})

export const kanbanRules = defineRules({
  categories: [
    rulesOf(Board, {
      events: [CardAdded, CardMoved],
      idField: 'boardId',
      producedBy: {
        'Board.CardAdded': (board, { data }) => board.add(data.cardId, data.title),
        'Board.CardMoved': (board, { data }) => board.move(data.cardId, data.column),
      },
    }),
    rulesOf(Sprint, {
      events: [SprintStarted, SprintClosed],
      idField: 'sprintId',
      producedBy: {
        'Sprint.Started': ({ data }) => ({ type: 'Start' as const, sprintId: data.sprintId, goal: data.goal }),
        'Sprint.Closed': ({ data }) => ({ type: 'Close' as const, sprintId: data.sprintId }),
      },
    }),
  ],
})

export const kanbanSync = defineSync({ policies: { Board: 'rebase', Sprint: 'reject' }, rules: kanbanRules })

/** The cards table, a deferred projection of the boards (rebuilt when sync rewrites a log). */
export const CARDS = 'cards'
export interface CardRow {
  cardId: string
  boardId: string
  title: string
  column: Column
}
export const kanbanReadModels = { version: 1, stores: { [CARDS]: 'cardId, boardId' } }
export const cardsProjection = defineProjection({
  name: 'cards',
  events: [CardAdded, CardMoved],
  tables: [CARDS],
  async apply(event, { table }) {
    const cards = table<CardRow, string>(CARDS)
    if (CardAdded.is(event)) await cards.put({ cardId: event.data.cardId, boardId: event.data.boardId, title: event.data.title, column: 'todo' })
    else await cards.update(event.data.cardId, { column: event.data.column })
  },
})
