// The getting-started guide's Kanban board (docs/guides/getting-started.md), as a project that
// installed the packed library would write it: no casts, nothing from the library's source.
import { AggregateRepository, AggregateRoot, defineEvent, openEventStore, WrongExpectedVersionError } from 'kiroku'
import { given } from 'kiroku/testing'

// 1. Events: a type name and the shape of their data.
const CardAdded = defineEvent<{ boardId: string; cardId: string; title: string }, 'Board.CardAdded'>('Board.CardAdded')
const CardMoved = defineEvent<{ boardId: string; cardId: string; to: Column }, 'Board.CardMoved'>('Board.CardMoved')

type Column = 'todo' | 'doing' | 'done'

class CardNotOnBoardError extends Error {
  override name = 'CardNotOnBoardError'
}

// 2. An aggregate: state rebuilt from its stream (Board$<id>), rules that say no before anything is written.
interface BoardState {
  cards: Record<string, Column>
}

class Board extends AggregateRoot<BoardState> {
  static readonly aggregateName = 'Board'

  constructor(id: string) {
    super(id, { cards: {} })
    this.on(CardAdded, (state, event) => ({ cards: { ...state.cards, [event.data.cardId]: 'todo' } }))
    this.on(CardMoved, (state, event) => ({ cards: { ...state.cards, [event.data.cardId]: event.data.to } }))
  }

  columnOf(cardId: string): Column | undefined {
    return this.state.cards[cardId]
  }

  add(cardId: string, title: string): void {
    this.apply(CardAdded({ boardId: this.id, cardId, title }))
  }

  move(cardId: string, to: Column): void {
    const from = this.state.cards[cardId]
    if (from === undefined) throw new CardNotOnBoardError(`card ${cardId} is not on board ${this.id}`)
    if (from !== to) this.apply(CardMoved({ boardId: this.id, cardId, to }))
  }
}

// 3. The store, a repository, and commands.
const store = await openEventStore({ name: 'kanban' })
const boards = new AggregateRepository(store)
await boards.withAggregate(Board, 'b1', (board) => {
  board.add('c1', 'Write the guide')
  board.add('c2', 'Pack the library')
})
await boards.withAggregate(Board, 'b1', (board) => board.move('c1', 'doing'))

// 4. Reading: the board again, and its stream.
const board = await boards.load(Board, 'b1')
const stream = await store.read.stream('Board$b1').toArray()

// 5. Optimistic concurrency: two writers from the same version; the second is refused.
const first = await boards.load(Board, 'b1')
const second = await boards.load(Board, 'b1')
first.move('c2', 'doing')
second.move('c2', 'done')
await boards.store(first)
const conflict = await boards.store(second).then(
  () => 'stored',
  (error: unknown) => (error instanceof WrongExpectedVersionError ? error.name : 'other'),
)

// 6. A test of the rules, without a database.
given(Board, [CardAdded({ boardId: 'b2', cardId: 'c9', title: 'x' })], 'b2')
  .when((b) => b.move('c9', 'done'))
  .thenEmits([CardMoved({ boardId: 'b2', cardId: 'c9', to: 'done' })])

console.log(
  JSON.stringify({
    columns: { c1: board.columnOf('c1'), c2: board.columnOf('c2') },
    version: board.version,
    types: stream.map((event) => event.type),
    conflict,
  }),
)
store.close()
