import type { RecordedEvent } from './Event'
import type { EventStore } from './EventStore'

export interface HandlerContext {
  /** The store scoped to this event: what the handler publishes is caused by it and shares its correlation. */
  readonly store: EventStore
  /** True when the event's transaction has not committed yet (inside `store.transaction`). */
  readonly inTransaction: boolean
  /** The same, outside the transaction: for work that runs after it may have ended. */
  readonly detached: HandlerContext
  /** Runs fn once the event's transaction has committed (soon, if it already has); never if it aborts. */
  afterCommit(fn: (context: HandlerContext) => unknown): void
  /** Reports the failure of work that nobody awaits (the store's `onError`). */
  reportError(error: unknown): void
}

export type EventHandler<E extends RecordedEvent = RecordedEvent> = (event: E, context: HandlerContext) => void | Promise<void>

/** Who listens to what. Handlers of a type run before handlers of every type, each in subscription order. */
export class Subscriptions {
  private readonly byType = new Map<string, EventHandler[]>()
  private global: EventHandler[] = []

  add(handler: EventHandler, types: readonly string[]): () => void {
    for (const type of types) this.byType.set(type, [...(this.byType.get(type) ?? []), handler])
    return () => {
      for (const type of types) {
        const left = (this.byType.get(type) ?? []).filter((h) => h !== handler)
        if (left.length) this.byType.set(type, left)
        else this.byType.delete(type)
      }
    }
  }

  addGlobal(handler: EventHandler): () => void {
    this.global = [...this.global, handler]
    return () => {
      this.global = this.global.filter((h) => h !== handler)
    }
  }

  /** A snapshot: subscribing or unsubscribing while dispatching affects the next event, not this one. */
  for(type: string): readonly EventHandler[] {
    const typed = this.byType.get(type)
    return typed ? [...typed, ...this.global] : this.global
  }
}
