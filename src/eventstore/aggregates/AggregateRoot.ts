import type { EventDefinition, NewEvent, RecordedEvent } from '../events'
import { MissingHandlerError } from '../errors'

/** An event as an aggregate handler sees it: new (being applied) or recorded (being replayed). */
export type AppliedEvent<Type extends string = string, Data = unknown> = Pick<NewEvent<Type, Data>, 'eventId' | 'type' | 'data'>

/** How to make an aggregate of a kind: the class itself (`Cart`), with its stream name prefix. */
export interface AggregateType<A extends AggregateRoot<any> = AggregateRoot<any>> {
  new (id: string): A
  /** Streams are named `${aggregateName}$${id}`; set it explicitly (class names do not survive minifying). */
  readonly aggregateName: string
  /** Write a snapshot every N stored events; none when unset. */
  readonly snapshotEvery?: number
  /** The shape of `snapshotState()`; raise it when that shape changes and old snapshots are ignored. */
  readonly snapshotVersion?: number
}

/**
 * State rebuilt by replaying the aggregate's stream. Subclasses register one handler per event
 * definition with `on`, and their commands call `apply` with new events.
 */
export abstract class AggregateRoot<State> {
  /** The stream version this state includes: -1 for a new aggregate. */
  version = -1
  private pending: NewEvent[] = []
  private readonly handlers = new Map<string, { definition: EventDefinition<string, any>; evolve: (state: State, event: AppliedEvent) => State }>()

  protected constructor(
    readonly id: string,
    protected state: State,
  ) {}

  /** Events applied since the aggregate was loaded or last stored, in order. */
  get unpublishedEvents(): readonly NewEvent[] {
    return this.pending
  }

  /** The aggregate kind's name (its stream prefix). */
  get aggregateName(): string {
    return (this.constructor as AggregateType).aggregateName
  }

  /** What a snapshot keeps; must be structured-cloneable. Override with restoreState for class-valued state. */
  snapshotState(): unknown {
    return this.state
  }

  restoreState(snapshot: unknown): void {
    this.state = snapshot as State
  }

  protected on<Type extends string, Data>(
    definition: EventDefinition<Type, Data>,
    handler: (state: State, event: AppliedEvent<Type, Data>) => State,
  ): void {
    this.handlers.set(definition.type, { definition, evolve: handler as (state: State, event: AppliedEvent) => State })
  }

  /** Evolves the state with new events and keeps them to be stored. */
  protected apply(...events: NewEvent[]): void {
    for (const event of events) {
      this.state = this.evolve(event)
      this.pending.push(event)
    }
  }

  /** @internal Replays a stored event (AggregateRepository.load). */
  replay(event: RecordedEvent): void {
    // Stored data is checked against the definition's schema, so bad data fails loudly, by event id.
    const definition = this.handlers.get(event.type)?.definition
    const data = definition ? definition.parse(event.data, event.eventId) : event.data
    this.state = this.evolve(data === event.data ? event : { ...event, data })
    this.version += 1
  }

  /** @internal Marks the pending events stored (AggregateRepository.store). */
  markStored(count: number): void {
    this.pending = this.pending.slice(count)
    this.version += count
  }

  private evolve(event: AppliedEvent): State {
    const handler = this.handlers.get(event.type)
    if (!handler) throw new MissingHandlerError(this.aggregateName, event.type, event.eventId)
    return handler.evolve(this.state, event)
  }
}
