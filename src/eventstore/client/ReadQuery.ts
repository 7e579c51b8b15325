import { typeOf, type EventOf, type EventTypeRef, type RecordedEvent } from '../events'
import { EventNotFoundError, EventStoreError, IncorrectStreamDataError, InvalidPageSizeError } from '../errors'
import { type Bounds, countMatching, eventById, readPage, type ReadSpec, resolveBounds } from '../storage'

/** How a query reaches storage: a read-only transaction, or the one the caller is inside. */
export type ReadRunner = <T>(body: (tx: IDBTransaction) => Promise<T>) => Promise<T>

const ALL: ReadSpec = Object.freeze({
  stream: null,
  types: null,
  from: null,
  to: null,
  direction: 'forward',
  limit: null,
  ids: null,
})

/**
 * An immutable read specification: every call returns a new query, so a query can be kept and
 * refined. `from` and `to` are exclusive and follow the direction: backward, `from` is the newer end.
 * `E` is the events it yields: `ofType([ItemAdded, ItemRemoved])` narrows it to their union.
 */
export class ReadQuery<E extends RecordedEvent = RecordedEvent> {
  constructor(
    private readonly run: ReadRunner,
    /** Brings stored events to their current shape (upcasting); identity by default. */
    private readonly decode: (event: RecordedEvent) => RecordedEvent = (event) => event,
    readonly spec: ReadSpec = ALL,
  ) {}

  stream(name: string): ReadQuery<E> {
    if (typeof name !== 'string' || name.length === 0) throw new IncorrectStreamDataError(name)
    return this.with({ stream: name })
  }

  /** Only events of these types (replacing an earlier `ofType`); definitions type what it yields. */
  ofType<R extends EventTypeRef>(types: R | readonly R[]): ReadQuery<EventOf<R>> {
    const list = (Array.isArray(types) ? types : [types]) as EventTypeRef[]
    return new ReadQuery<EventOf<R>>(this.run, this.decode, Object.freeze({ ...this.spec, types: list.map(typeOf) }))
  }

  /** Only events with this correlation id (read through the log's index by correlation). */
  correlatedWith(correlationId: string): ReadQuery<E> {
    if (typeof correlationId !== 'string') throw new EventStoreError(`correlatedWith() needs a correlation id (a string), not ${String(correlationId)}.`, { correlationId })
    return this.with({ correlationId })
  }

  from(eventId: string): ReadQuery<E> {
    return this.with({ from: eventId })
  }

  /** Only events after this position: the global position when reading the log, the stream position when reading a stream. */
  after(position: number): ReadQuery<E> {
    if (typeof position !== 'number' || Number.isNaN(position)) throw new EventStoreError(`after() needs a position (a number), not ${String(position)}.`, { position })
    return this.with({ after: position })
  }

  to(eventId: string): ReadQuery<E> {
    return this.with({ to: eventId })
  }

  forward(): ReadQuery<E> {
    return this.with({ direction: 'forward' })
  }

  backward(): ReadQuery<E> {
    return this.with({ direction: 'backward' })
  }

  limit(count: number): ReadQuery<E> {
    return this.with({ limit: pageSize(count) })
  }

  withIds(eventIds: readonly string[]): ReadQuery<E> {
    return this.with({ ids: [...eventIds] })
  }

  async toArray(): Promise<E[]> {
    const page = await this.run(async (tx) => readPage(tx, this.spec, await resolveBounds(tx, this.spec), this.spec.limit ?? Infinity))
    return page.events.map(this.decode) as E[]
  }

  async count(): Promise<number> {
    return this.run(async (tx) => countMatching(tx, this.spec, await resolveBounds(tx, this.spec)))
  }

  /** The first event in the query's direction, or undefined. */
  async first(): Promise<E | undefined> {
    return (await this.limit(1).toArray())[0]
  }

  /** The last event the query would return, or undefined. */
  async last(): Promise<E | undefined> {
    if (this.spec.limit !== null) return (await this.toArray()).at(-1)
    // from/to follow the direction, so reversing it swaps them.
    const reversed = this.with({
      direction: this.spec.direction === 'forward' ? 'backward' : 'forward',
      from: this.spec.to,
      to: this.spec.from,
    })
    return reversed.first()
  }

  /** The matching events in pages of `size`, each page its own short read transaction. */
  async *inBatches(size = 100): AsyncGenerator<E[], void, undefined> {
    const max = pageSize(size)
    let bounds: Bounds | null = null
    let left = this.spec.limit ?? Infinity
    while (left > 0) {
      const page = await this.run(async (tx) => {
        bounds ??= await resolveBounds(tx, this.spec)
        return readPage(tx, this.spec, bounds, Math.min(max, left))
      })
      if (page.events.length) yield page.events.map(this.decode) as E[]
      left -= page.events.length
      if (page.done || page.lastKey === null || !bounds) return
      const next: Bounds = bounds
      if (this.spec.direction === 'forward') next.lo = page.lastKey
      else next.hi = page.lastKey
    }
  }

  /** The event with this id, whatever the query's filters: any type. */
  async event(eventId: string): Promise<RecordedEvent | undefined> {
    const event = await this.run((tx) => eventById(tx, eventId))
    return event && this.decode(event)
  }

  async eventOrThrow(eventId: string): Promise<RecordedEvent> {
    const event = await this.event(eventId)
    if (!event) throw new EventNotFoundError(eventId)
    return event
  }

  private with(patch: Partial<ReadSpec>): ReadQuery<E> {
    return new ReadQuery<E>(this.run, this.decode, Object.freeze({ ...this.spec, ...patch }))
  }
}

function pageSize(count: number): number {
  if (typeof count !== 'number' || !Number.isSafeInteger(count) || count <= 0) throw new InvalidPageSizeError(count)
  return count
}
