// RailsEventStore's dispatchers, in the browser. A handler is marked with how it wants to run;
// a ComposedDispatcher hands it to the first dispatcher that accepts it.
import type { RecordedEvent } from '../events'
import type { EventHandler, HandlerContext } from './Subscriptions'
import type { Dispatcher } from './SyncDispatcher'

const KIND = Symbol('kiroku.dispatch')
export type DispatchKind = 'sync' | 'after-commit' | 'immediate'

type Marked = EventHandler & { [KIND]?: DispatchKind }

export const kindOf = (handler: EventHandler): DispatchKind => (handler as Marked)[KIND] ?? 'sync'

function mark<E extends RecordedEvent>(handler: EventHandler<E>, kind: DispatchKind): EventHandler<E> {
  const marked: Marked = (event, context) => handler(event as E, context)
  marked[KIND] = kind
  // Keep the handler's own name for reports (InstrumentedDispatcher, stack traces).
  Object.defineProperty(marked, 'name', { value: handler.name, configurable: true })
  return marked as EventHandler<E>
}

/** Marks a handler to be routed as `kind`: for decorators that wrap a handler and must keep how it runs. */
export const dispatchedAs = <E extends RecordedEvent>(handler: EventHandler<E>, kind: DispatchKind) => mark(handler, kind)

/** Runs the handler once the event's transaction has committed; never for one that aborted. */
export const afterCommit = <E extends RecordedEvent>(handler: EventHandler<E>) => mark(handler, 'after-commit')
/** Schedules the handler at publish time, before the commit: it may run for a transaction that later aborts. */
export const immediate = <E extends RecordedEvent>(handler: EventHandler<E>) => mark(handler, 'immediate')

export class AfterCommitDispatcher implements Dispatcher {
  accepts(handler: EventHandler): boolean {
    return kindOf(handler) === 'after-commit'
  }

  call(handler: EventHandler, event: RecordedEvent, context: HandlerContext): void {
    context.afterCommit((outside) => handler(event, outside))
  }
}

export class ImmediateDispatcher implements Dispatcher {
  accepts(handler: EventHandler): boolean {
    return kindOf(handler) === 'immediate'
  }

  call(handler: EventHandler, event: RecordedEvent, context: HandlerContext): void {
    const outside = context.detached
    queueMicrotask(() => {
      Promise.resolve()
        .then(() => handler(event, outside))
        .catch((error: unknown) => context.reportError(error))
    })
  }
}

/** Hands each handler to the first dispatcher that accepts it. */
export class ComposedDispatcher implements Dispatcher {
  private readonly dispatchers: readonly Dispatcher[]

  constructor(...dispatchers: Dispatcher[]) {
    this.dispatchers = dispatchers
  }

  accepts(handler: EventHandler): boolean {
    return this.dispatchers.some((d) => d.accepts(handler))
  }

  call(handler: EventHandler, event: RecordedEvent, context: HandlerContext): void | Promise<void> {
    const dispatcher = this.dispatchers.find((d) => d.accepts(handler))
    if (!dispatcher) throw new Error(`No dispatcher accepts this handler (marked ${kindOf(handler)}).`)
    return dispatcher.call(handler, event, context)
  }
}

/** Sync, after-commit and immediate handlers in one store. */
export const defaultComposedDispatcher = (sync: Dispatcher): ComposedDispatcher =>
  new ComposedDispatcher(new AfterCommitDispatcher(), new ImmediateDispatcher(), sync)
