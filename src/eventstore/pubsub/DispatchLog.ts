import type { DispatchSink, HandlerRun } from './InstrumentedDispatcher'

/**
 * Keeps the latest handler runs reported by an InstrumentedDispatcher, by event, for tools to
 * show (the devtools). Bounded: past `capacity` runs, the oldest events' runs are dropped.
 * `subscribe` and `getSnapshot` fit React's useSyncExternalStore; the snapshot is a counter that
 * moves on every change.
 */
export class DispatchLog implements DispatchSink {
  private readonly byEvent = new Map<string, readonly HandlerRun[]>()
  private readonly listeners = new Set<() => void>()
  private size = 0
  private version = 0

  constructor(readonly capacity = 5000) {}

  record(run: HandlerRun): void {
    const runs = this.byEvent.get(run.eventId) ?? []
    // A new array each time: what runsOf returned earlier stays as it was.
    this.byEvent.delete(run.eventId)
    this.byEvent.set(run.eventId, [...runs, run])
    this.size += 1
    for (const [eventId, old] of this.byEvent) {
      if (this.size <= this.capacity || eventId === run.eventId) break
      this.byEvent.delete(eventId)
      this.size -= old.length
    }
    this.changed()
  }

  /** The runs for one event, in the order they finished. */
  runsOf(eventId: string): readonly HandlerRun[] {
    return this.byEvent.get(eventId) ?? NONE
  }

  /** Every kept run, oldest event first. */
  all(): HandlerRun[] {
    return [...this.byEvent.values()].flat()
  }

  clear(): void {
    this.byEvent.clear()
    this.size = 0
    this.changed()
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener)
    return () => void this.listeners.delete(listener)
  }

  getSnapshot = (): number => this.version

  private changed(): void {
    this.version += 1
    for (const listener of this.listeners) listener()
  }
}

const NONE: readonly HandlerRun[] = Object.freeze([])
