import type { EventStore } from '../client'
import { typeOf, type EventDefinition, type EventTypeRef, type RecordedEvent } from '../events'

/**
 * The recorded event an event reference stands for: a definition's own, or any event for a type
 * name. (events/' EventOf says the same once it takes type names too; then this can go.)
 */
export type RecordedOf<Ref> = Ref extends EventDefinition<infer Type, infer Data> ? RecordedEvent<Type, Data> : RecordedEvent

export interface SyncProjectionOptions<State, Ref extends EventTypeRef> {
  /** The event types it follows; others never reach evolve. */
  events: readonly Ref[]
  /** The state before the first event. */
  initial: State
  /** The next state. Return the same state (Object.is) for an event that changes nothing: nobody is told. */
  evolve: (state: State, event: RecordedOf<Ref>) => State
  /** Read the matching events already in the log first (default). false: start from `initial` and follow only what is published from now on. */
  seed?: boolean
  /** Events read per read transaction while seeding. Default 500. */
  batchSize?: number
}

export type StateListener<State> = (state: State, previous: State) => void

/** A subscribable state, the shape zustand's vanilla stores have (`useSyncExternalStore` takes `subscribe` and `getState`). */
export interface SyncProjection<State> {
  getState(): State
  /** Called after each change; returns its unsubscribe function. */
  subscribe(listener: StateListener<State>): () => void
  /** Resolves with the state once the log's events are in it; rejects if the seed read failed (the projection is then stopped). */
  readonly ready: Promise<State>
  /** Stops following the store, for good; the state stays readable. Its store closing does the same. */
  stop(): void
}

/**
 * A state kept in memory from the log, in the same frame as the commands that change it: the
 * matching events already stored (the seed), then each one published through this store once it
 * has committed — at once outside `store.transaction`, after the commit inside one, never for one
 * that aborted.
 *
 * It subscribes before it reads, so nothing published meanwhile is lost; what arrives while the
 * seed is read waits, and is applied after it in global order, skipping what the read already had
 * (positions are handed out in commit order, so an event the read missed lies past its last one).
 * After the seed, events apply in the order their commits reach the handler: each once.
 *
 * It follows what is published through this store (this tab, this connection); other tabs' commits
 * and plain `append` calls reach it only through another projection made after them.
 */
export function syncProjection<State, Ref extends EventTypeRef>(store: EventStore, options: SyncProjectionOptions<State, Ref>): SyncProjection<State> {
  const types = options.events.map(typeOf)
  const evolve = options.evolve as (state: State, event: RecordedEvent) => State
  const listeners = new Set<StateListener<State>>()
  let state = options.initial
  // Everything at or before this position was in the seed.
  let seededThrough = 0
  // Events published while the seed is read; null once it has been (or when there is none).
  let waiting: RecordedEvent[] | null = options.seed === false ? null : []
  let stopped = false

  const set = (next: State) => {
    if (Object.is(next, state)) return
    const previous = state
    state = next
    for (const listener of [...listeners]) listener(state, previous)
  }
  const apply = (event: RecordedEvent) => {
    if (stopped || event.globalPosition <= seededThrough) return
    set(evolve(state, event))
  }
  const receive = (event: RecordedEvent) => {
    if (waiting) waiting.push(event)
    else apply(event)
  }

  const offEvents = store.subscribe(
    (event, context) => {
      if (!context.inTransaction) return receive(event)
      context.afterCommit(() => receive(event))
    },
    { to: types },
  )
  const offClose = store.isClosed ? () => undefined : store.onClose(() => stop())
  // A store closed already: stopped at once, and the seed's read fails with StoreClosedError.
  if (store.isClosed) stop()

  function stop(): void {
    if (stopped) return
    stopped = true
    waiting = null
    offEvents()
    offClose()
  }

  const seed = async (): Promise<State> => {
    if (options.seed === false) return state
    try {
      let seeded = state
      for await (const batch of store.read.ofType(types).inBatches(options.batchSize ?? 500)) {
        if (stopped) return state
        for (const event of batch) seeded = evolve(seeded, event)
        seededThrough = batch.at(-1)!.globalPosition
      }
      if (stopped || !waiting) return state
      // No await from here on: nothing published can slip between the seed and what waited.
      const published = waiting.sort((a, b) => a.globalPosition - b.globalPosition)
      waiting = null
      set(published.reduce((next, event) => (event.globalPosition > seededThrough ? evolve(next, event) : next), seeded))
      return state
    } catch (error) {
      stop()
      throw error
    }
  }
  const ready = seed()
  // A failed seed is reported through `ready`; nobody need await it to avoid an unhandled rejection.
  ready.catch(() => undefined)

  return {
    getState: () => state,
    subscribe(listener) {
      listeners.add(listener)
      return () => void listeners.delete(listener)
    },
    ready,
    stop,
  }
}
