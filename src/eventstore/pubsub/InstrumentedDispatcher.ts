// A decorator around any dispatcher that times each handler's real run, as RailsEventStore's
// InstrumentedDispatcher does with ActiveSupport::Notifications. The handler itself is wrapped,
// so a dispatcher that defers it (after commit, a microtask later) still gets it timed when it
// actually runs; the wrapper keeps the handler's dispatch kind, so a ComposedDispatcher inside
// still routes it where the unwrapped handler would have gone.
import type { RecordedEvent } from '../events'
import { dispatchedAs, kindOf, type DispatchKind } from './dispatchers'
import type { EventHandler, HandlerContext } from './Subscriptions'
import type { Dispatcher } from './SyncDispatcher'

/** One handler's run for one event. */
export interface HandlerRun {
  eventId: string
  eventType: string
  /** The handler function's name ('anonymous' when it has none), or what `nameOf` says. */
  handler: string
  /** How it was dispatched: the kind it is marked with (`afterCommit`, `immediate`), else sync. */
  kind: DispatchKind
  startedAt: Date
  /** Milliseconds from its start until it returned or its promise settled. */
  duration: number
  /** Set when it threw or rejected (the error still goes where it went without instrumentation). */
  error?: { name: string; message: string }
}

/** Where runs go: a DispatchLog, or any object with `record`. */
export interface DispatchSink {
  record(run: HandlerRun): void
}

export interface InstrumentationOptions {
  /** Names a handler in the report; defaults to the function's own name. */
  nameOf?: (handler: EventHandler) => string
  /** Wall-clock start time; `new Date()` by default. */
  clock?: () => Date
  /** A monotonic millisecond counter for durations; `performance.now` by default. */
  now?: () => number
}

const defaultName = (handler: EventHandler): string => handler.name || 'anonymous'

export class InstrumentedDispatcher implements Dispatcher {
  private readonly nameOf: (handler: EventHandler) => string
  private readonly clock: () => Date
  private readonly now: () => number

  constructor(
    private readonly inner: Dispatcher,
    private readonly sink: DispatchSink,
    options: InstrumentationOptions = {},
  ) {
    this.nameOf = options.nameOf ?? defaultName
    this.clock = options.clock ?? (() => new Date())
    this.now = options.now ?? (() => performance.now())
  }

  accepts(handler: EventHandler): boolean {
    return this.inner.accepts(handler)
  }

  call(handler: EventHandler, event: RecordedEvent, context: HandlerContext): void | Promise<void> {
    const kind = kindOf(handler)
    const timed = dispatchedAs((e: RecordedEvent, c: HandlerContext) => this.run(handler, kind, e, c), kind)
    return this.inner.call(timed, event, context)
  }

  /** Runs the handler as the dispatcher asked, reporting how it went; its result and errors pass through. */
  private run(handler: EventHandler, kind: DispatchKind, event: RecordedEvent, context: HandlerContext): void | Promise<void> {
    const startedAt = this.clock()
    const start = this.now()
    const report = (failed: boolean, error?: unknown) => {
      const run: HandlerRun = { eventId: event.eventId, eventType: event.type, handler: this.nameOf(handler), kind, startedAt, duration: this.now() - start }
      if (failed) run.error = describeError(error)
      try {
        this.sink.record(run)
      } catch (failure) {
        // A broken sink must not change what the handler's run means to the store.
        context.reportError(failure)
      }
    }
    let result: void | Promise<void>
    try {
      result = handler(event, context)
    } catch (error) {
      report(true, error)
      throw error
    }
    if (!isPromise(result)) {
      report(false)
      return result
    }
    return result.then(
      () => report(false),
      (error: unknown) => {
        report(true, error)
        throw error
      },
    )
  }
}

function isPromise(value: unknown): value is Promise<void> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === 'function'
}

function describeError(error: unknown): { name: string; message: string } {
  if (error instanceof Error) return { name: error.name, message: error.message }
  return { name: 'Error', message: error === undefined ? 'the handler failed without a reason' : String(error) }
}
