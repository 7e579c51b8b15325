import type { RecordedEvent } from '../events'
import type { Dispatcher, HandlerContext, Subscriptions } from '../pubsub'
import type { Scope } from './Transaction'

/** Hands each recorded event, in order, to its handlers through the dispatcher; `Store` is what a handler's context.store is. */
export class Broker<Store = unknown> {
  constructor(
    private readonly subscriptions: Subscriptions,
    private readonly dispatcher: Dispatcher,
    private readonly storeFor: (scope: Scope) => Store,
    private readonly reportError: (error: unknown, event: RecordedEvent) => void,
  ) {}

  /** `defer` keeps after-commit work until the events' transaction has committed. */
  async dispatch(events: readonly RecordedEvent[], scope: Scope, defer: (run: () => Promise<void>) => void): Promise<void> {
    for (const event of events) {
      const handlers = this.subscriptions.for(event.type)
      if (handlers.length === 0) continue
      // What a handler publishes is caused by this event and shares its correlation.
      const caused: Scope = {
        metadata: { ...scope.metadata, correlationId: event.metadata.correlationId, causationId: event.eventId },
        tx: scope.tx,
      }
      const context = this.contextFor(caused, event, defer)
      for (const handler of handlers) {
        const call = () => this.dispatcher.call(handler, event, context)
        await (scope.tx ? scope.tx.inZone(call) : call())
      }
    }
  }

  private contextFor(scope: Scope, event: RecordedEvent, defer: (run: () => Promise<void>) => void): HandlerContext<Store> {
    const report = (error: unknown) => this.reportError(error, event)
    const detach = () => this.contextFor({ metadata: scope.metadata, tx: null }, event, (run) => void setTimeout(run, 0))
    let detached: HandlerContext<Store> | undefined
    const context: HandlerContext<Store> = {
      store: this.storeFor(scope),
      inTransaction: scope.tx !== null,
      get detached() {
        return scope.tx ? (detached ??= detach()) : context
      },
      afterCommit(fn) {
        const run = () =>
          Promise.resolve()
            .then(async () => {
              await fn(context.detached)
            })
            .catch(report)
        defer(run)
      },
      reportError: report,
    }
    return context
  }
}
