import type { AggregateType, EventStore, RecordedEvent } from '../../eventstore'
import { diff, type Change } from './diff'

export interface ReplayedState {
  /** The aggregate's state once the event at `position` is applied (its `snapshotState()`). */
  state: unknown
  /** Its state just before that event. */
  previous: unknown
  changes: Change[]
  /** The stream's current version, for the position picker. */
  version: number
}

/** The aggregate type whose streams this one is named like (`${aggregateName}$${id}`), if any. */
export function aggregateOf(stream: string, aggregates: readonly AggregateType[]): AggregateType | undefined {
  return aggregates.find((Type) => stream.startsWith(`${Type.aggregateName}$`))
}

/**
 * Rebuilds the aggregate from its stream up to and including `position`, the way the repository
 * does (`new Type(id)`, then `replay` event by event), keeping the state before the last step.
 */
export async function replayTo(store: EventStore, Type: AggregateType, stream: string, position: number): Promise<ReplayedState> {
  const [events, version] = await Promise.all([store.read.stream(stream).limit(position + 1).toArray(), store.streamVersion(stream)])
  const aggregate = new Type(stream.slice(Type.aggregateName.length + 1))
  let previous = copy(aggregate.snapshotState())
  events.forEach((event: RecordedEvent, i) => {
    if (i === events.length - 1) previous = copy(aggregate.snapshotState())
    aggregate.replay(event)
  })
  const state = copy(aggregate.snapshotState())
  return { state, previous, changes: diff(previous, state), version }
}

/** The event at a position of a stream (positions run 0…version with no gaps). */
export async function eventAt(store: EventStore, stream: string, position: number): Promise<RecordedEvent | undefined> {
  return (await store.read.stream(stream).limit(position + 1).toArray())[position]
}

/** A copy, so a handler that changes state in place cannot rewrite the "before" picture. */
function copy(value: unknown): unknown {
  try {
    return structuredClone(value)
  } catch {
    return value
  }
}
