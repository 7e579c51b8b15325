// What a Kanban user sees, as the kit's `readModel` compares it: every board's cards and every
// sprint's state, loaded from the device's store as the app loads them.
import { AggregateRepository, listStreams, type EventStore } from '../../../../src/eventstore'
import { Board, Sprint } from './kanban'

export async function kanbanView(store: EventStore) {
  const repository = new AggregateRepository(store)
  const boards: Record<string, Board['cards']> = {}
  for (const { stream } of await listStreams(store, { prefix: 'Board$', limit: 1000 })) {
    const board = await repository.load(Board, stream.slice('Board$'.length))
    boards[board.id] = board.cards
  }
  const sprints: Record<string, unknown> = {}
  for (const { stream } of await listStreams(store, { prefix: 'Sprint$', limit: 1000 })) {
    sprints[stream.slice('Sprint$'.length)] = (await repository.loadState(Sprint, stream.slice('Sprint$'.length))).state
  }
  return { boards, sprints }
}
