import type { RecordedEvent } from './Event'
import type { EventStore } from './EventStore'
import type { AmbientScopes, Scope } from './Scope'
import type { Subscriptions } from './Subscriptions'
import type { Dispatcher } from './SyncDispatcher'

/** Hands each recorded event, in order, to its handlers through the dispatcher. */
export class Broker {
  constructor(
    private readonly subscriptions: Subscriptions,
    private readonly dispatcher: Dispatcher,
    private readonly ambient: AmbientScopes,
    private readonly storeFor: (scope: Scope) => EventStore,
  ) {}

  async dispatch(events: readonly RecordedEvent[], scope: Scope): Promise<void> {
    for (const event of events) {
      const handlers = this.subscriptions.for(event.type)
      if (handlers.length === 0) continue
      // What a handler publishes is caused by this event and shares its correlation.
      const caused: Scope = {
        metadata: { ...scope.metadata, correlationId: event.metadata.correlationId, causationId: event.eventId },
        tx: scope.tx,
      }
      const context = { store: this.storeFor(caused) }
      for (const handler of handlers) {
        const call = () => this.dispatcher.call(handler, event, context)
        await this.ambient.run(caused, () => (scope.tx ? scope.tx.inZone(call) : call()))
      }
    }
  }
}
