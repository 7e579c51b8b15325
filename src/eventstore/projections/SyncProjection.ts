import type { EventStore, LogFollower } from '../client'
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
  /** Read the matching events already in the log first (default). false: start from `initial` and follow only what is committed from now on. */
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
 * matching events already stored (the seed), then every change to the log whatever made it
 * (`store.follow`): this store's commits at once (inside `publish`, `append`, `importNdjson`; after
 * the commit for `store.transaction`, never for one that aborted), and other connections' — other
 * tabs, a worker's sync pulls — as soon as they are announced on the database's channel.
 *
 * Each event is applied once, in global order: what commits while the seed is read waits and is
 * applied after it. When events are taken out of the log (`truncateStream`, sync's rebase) it
 * seeds again from `initial`, and tells its listeners once with the new state.
 */
export function syncProjection<State, Ref extends EventTypeRef>(store: EventStore, options: SyncProjectionOptions<State, Ref>): SyncProjection<State> {
  const types = options.events.map(typeOf)
  const evolve = options.evolve as (state: State, event: RecordedEvent) => State
  const listeners = new Set<StateListener<State>>()
  let state = options.initial
  let follower: LogFollower | null = null
  /** The latest seed: a rewrite heard while one is read starts another, which `ready` then waits for. */
  let seeding: Promise<State> = Promise.resolve(state)
  let stopped = false

  const set = (next: State) => {
    if (Object.is(next, state)) return
    const previous = state
    state = next
    for (const listener of [...listeners]) listener(state, previous)
  }

  /** Follows the log from `after` (the seed: from 0), the state built aside until it has caught up, then shown at once. */
  const start = (after: number | undefined): Promise<State> => {
    follower?.stop()
    let aside = after !== undefined
    let seeded = options.initial
    let failure: { error: unknown } | null = null
    const mine: LogFollower = store.follow(
      (events) => {
        if (follower !== mine || failure) return
        if (!aside) return set(events.reduce(evolve, state))
        try {
          seeded = events.reduce(evolve, seeded)
        } catch (error) {
          // An evolve that throws while seeding fails the seed, as a failed read does.
          failure = { error }
          mine.stop()
        }
      },
      {
        to: types,
        ...(after === undefined ? {} : { after }),
        ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
        // The log lost events the state may hold: seed again (a projection with no seed goes on).
        onRewritten: () => void (options.seed !== false && !stopped && start(0).catch(() => undefined)),
      },
    )
    follower = mine
    seeding = mine.caughtUp
      .then(() => {
        if (follower !== mine) return seeding
        if (failure) throw failure.error
        if (aside) {
          aside = false
          set(seeded)
        }
        return state
      })
      .catch((error: unknown) => {
        if (follower === mine) stop()
        throw error
      })
    return seeding
  }

  const offClose = store.isClosed ? () => undefined : store.onClose(() => stop())

  function stop(): void {
    if (stopped) return
    stopped = true
    follower?.stop()
    offClose()
  }

  const ready = start(options.seed === false ? undefined : 0)
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
