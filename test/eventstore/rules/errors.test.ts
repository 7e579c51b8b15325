import { describe, expect, it } from 'vitest'
import {
  EventDataRefusedError,
  EventNotOfCategoryError,
  EventNotProducedError,
  EventOutOfPlaceError,
  EventStoreError,
  RuleRefusalError,
  StreamIdMismatchError,
  UndeclaredReadError,
  reviveError,
} from '../../../src/eventstore'

describe('the rules’ errors', () => {
  it.each<[string, EventStoreError, boolean]>([
    ['RuleRefusalError', new RuleRefusalError('Board', 'Board.CardAdded', 'Board$b1', 'no'), true],
    ['EventOutOfPlaceError', new EventOutOfPlaceError('Board', 'Board.CardAdded', 'misc', 'Board$b1'), true],
    ['StreamIdMismatchError', new StreamIdMismatchError('Board', 'Board.CardAdded', 'Board$b1', 'boardId', 'b2', 'b1'), true],
    ['StreamIdMismatchError', new StreamIdMismatchError('Board', 'Board.CardAdded', 'Board$b1', 'boardId', undefined, 'b1'), true],
    ['EventNotOfCategoryError', new EventNotOfCategoryError('Board', 'Test.Pinged', 'Board$b1'), true],
    ['EventNotProducedError', new EventNotProducedError('Board', 'Board.CardMoved', 'Board$b1', 'the command makes no event here'), true],
    ['EventDataRefusedError', new EventDataRefusedError('Sprint', 'Sprint.Planned', 'Sprint$s1', ['cardIds: a list']), true],
    ['UndeclaredReadError', new UndeclaredReadError('Sprint', 'Sprint.Planned', 'Board$b1'), false],
  ])('%s has a stable name, and keeps its class, fields and message through a structured clone', (name, error, refusal) => {
    expect(error.name).toBe(name)
    const revived = reviveError(structuredClone(error.toJSON()))
    expect(revived).toBeInstanceOf(error.constructor)
    expect(revived.message).toBe(error.message)
    expect(revived.fields).toEqual(error.fields)
    expect(revived instanceof RuleRefusalError).toBe(refusal)
  })

  it('say what was refused and why, in one sentence', () => {
    expect(new StreamIdMismatchError('Board', 'Board.CardAdded', 'Board$b1', 'boardId', undefined, 'b1').message).toBe(
      'A Board.CardAdded event cannot be recorded on a Board: it names no board.',
    )
    expect(new EventDataRefusedError('Sprint', 'Sprint.Planned', 'Sprint$s1', ['cardIds: a list']).message).toBe(
      'A Sprint.Planned event cannot be recorded on a Sprint: its data does not match its schema (cardIds: a list).',
    )
    expect(new UndeclaredReadError('Sprint', 'Sprint.Planned', 'Board$b1').message).toContain("read the stream \"Board$b1\", which its reads did not name")
  })
})
