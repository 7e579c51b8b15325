import { describe, expect, it } from 'vitest'
import { InvalidEventDataError, replayed } from '../../../src/eventstore'
import { Board, CardAdded, CardMoved, SprintPlanned, boardDecider, Sprint } from './board'

const events = [
  { type: CardAdded.type, data: { boardId: 'b1', cardId: 'c1', title: 'Plan' } },
  { type: CardMoved.type, data: { boardId: 'b1', cardId: 'c1', column: 'done' } },
]

describe('replayed', () => {
  it('given plain stored events, rebuilds a class aggregate at their version and a decider’s state alike', () => {
    const board = replayed(Board, 'b1', events)
    expect(board).toBeInstanceOf(Board)
    expect([board.id, board.version, board.snapshotState()]).toEqual(['b1', 1, { cards: { c1: 'done' } }])
    expect(replayed(boardDecider, 'b1', events)).toEqual({ cards: { c1: 'done' } })
  })

  it('checks stored data with the definitions’ schemas, naming the event by stream and position', () => {
    const bad = [{ type: SprintPlanned.type, data: { sprintId: 's1', boardId: 'b1', cardIds: 'c1' } }]
    expect(() => replayed(Sprint, 's1', bad)).toThrow(InvalidEventDataError)
    expect(() => replayed(Sprint, 's1', bad)).toThrow(/Sprint\$s1@0/)
  })
})
