import type { RecordedEvent } from '../events'
import type { EventHandler, HandlerContext } from './Subscriptions'

/** Runs (or schedules) one handler for one recorded event. */
export interface Dispatcher {
  /** Whether this dispatcher takes the handler; a composed dispatcher asks each in turn. */
  accepts(handler: EventHandler): boolean
  call(handler: EventHandler, event: RecordedEvent, context: HandlerContext): void | Promise<void>
}

/** The default: the handler runs inside `publish`, which waits for it and fails if it throws. */
export class SyncDispatcher implements Dispatcher {
  accepts(): boolean {
    return true
  }

  async call(handler: EventHandler, event: RecordedEvent, context: HandlerContext): Promise<void> {
    await handler(event, context)
  }
}
