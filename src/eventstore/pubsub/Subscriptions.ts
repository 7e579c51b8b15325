import type { RecordedEvent } from '../events'

/**
 * What a handler gets with each event. `Store` is the store it is subscribed to (the client
 * fills it in: `HandlerContext` there is this with its EventStore), so dispatchers need not know it.
 */
export interface HandlerContext<Store = any> {
  /** The store scoped to this event: what the handler publishes is caused by it and shares its correlation. */
  readonly store: Store
  /** True when the event's transaction has not committed yet (inside `store.transaction`). */
  readonly inTransaction: boolean
  /** The same, outside the transaction: for work that runs after it may have ended. */
  readonly detached: HandlerContext<Store>
  /** Runs fn once the event's transaction has committed (soon, if it already has); never if it aborts. */
  afterCommit(fn: (context: HandlerContext<Store>) => unknown): void
  /** Reports the failure of work that nobody awaits (the store's `onError`). */
  reportError(error: unknown): void
}

export type EventHandler<E extends RecordedEvent = RecordedEvent, Store = any> = (event: E, context: HandlerContext<Store>) => void | Promise<void>

/** One subscribe call. Its identity, not its handler's, is what unsubscribing removes. */
interface Subscription {
  readonly handler: EventHandler
}

/**
 * Who listens to what. Handlers of a type run before handlers of every type, each in subscription
 * order. Each subscribe call is one subscription, called once per event however often its types
 * name the event's type; the same handler subscribed twice is two subscriptions, removed apart.
 */
export class Subscriptions {
  private readonly byType = new Map<string, readonly Subscription[]>()
  private global: readonly Subscription[] = []

  add(handler: EventHandler, types: readonly string[]): () => void {
    const subscription: Subscription = { handler }
    const distinct = [...new Set(types)]
    for (const type of distinct) this.byType.set(type, [...(this.byType.get(type) ?? []), subscription])
    return () => {
      for (const type of distinct) {
        const left = (this.byType.get(type) ?? []).filter((s) => s !== subscription)
        if (left.length) this.byType.set(type, left)
        else this.byType.delete(type)
      }
    }
  }

  addGlobal(handler: EventHandler): () => void {
    const subscription: Subscription = { handler }
    this.global = [...this.global, subscription]
    return () => {
      this.global = this.global.filter((s) => s !== subscription)
    }
  }

  /** A snapshot: subscribing or unsubscribing while dispatching affects the next event, not this one. */
  for(type: string): readonly EventHandler[] {
    const typed = this.byType.get(type)
    return (typed ? [...typed, ...this.global] : this.global).map((s) => s.handler)
  }
}
