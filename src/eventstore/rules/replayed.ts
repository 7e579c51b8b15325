import { nameOf, type AggregateRoot, type AggregateType, type AppliedEvent, type Decider } from '../aggregates'
import type { EventDefinition, RecordedEvent } from '../events'
import type { CheckedEvent } from './Rules'

/** A stored event given as plain type and data, with an id that says where it came from (for a schema's error). */
export const storedEvent = (stream: string, event: CheckedEvent, index: number): AppliedEvent => ({ eventId: `${stream}@${index}`, type: event.type, data: event.data })

/**
 * An aggregate rebuilt from a stream's stored events given as plain type and data (as a server
 * reads them): a class is made with `new Kind(id)` and replays them (its definitions check the
 * data); a decider's state is evolved from `initialState()` (data checked by `definitions`, when
 * given). Throws what replaying throws (bad stored data, a missing handler): a fault, not a refusal.
 */
export function replayed<A extends AggregateRoot<any>>(kind: AggregateType<A>, id: string, events: readonly CheckedEvent[]): A
export function replayed<State>(kind: Decider<State, any, any>, id: string, events: readonly CheckedEvent[], definitions?: ReadonlyMap<string, EventDefinition>): State
export function replayed(
  kind: AggregateType | Decider<unknown, unknown, any>,
  id: string,
  events: readonly CheckedEvent[],
  definitions?: ReadonlyMap<string, EventDefinition>,
): unknown {
  const stream = `${nameOf(kind)}$${id}`
  if (typeof kind === 'function') {
    const aggregate = new kind(id)
    // Only type, data and id matter to a replay; a stored event's metadata never reaches a handler.
    events.forEach((event, index) => aggregate.replay({ ...storedEvent(stream, event, index), metadata: {}, globalPosition: index } as unknown as RecordedEvent))
    return aggregate
  }
  return events.reduce((state, event, index) => kind.evolve(state, parsed(storedEvent(stream, event, index), definitions)), kind.initialState())
}

/** The event with its data checked by its definition's schema (as it is when a class replays it). */
export function parsed(event: AppliedEvent, definitions?: ReadonlyMap<string, EventDefinition>): AppliedEvent {
  const definition = definitions?.get(event.type)
  if (definition === undefined) return event
  const data = definition.parse(event.data, event.eventId)
  return data === event.data ? event : { ...event, data }
}
