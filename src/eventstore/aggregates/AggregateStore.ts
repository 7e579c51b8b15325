import type { NewEvent, RecordedEvent } from '../events'

/** The latest snapshot of a stream's aggregate. */
export interface Snapshot {
  stream: string
  /** The stream version the state includes (its last position). */
  version: number
  /** The id of the event at that position, checked on restore. */
  eventId: string
  /** The aggregate's own snapshot shape version; a mismatch means "replay instead". */
  schemaVersion: number
  state: unknown
  takenAt: Date
}

/** What loading an aggregate reads: the snapshot it may start from, and the events after it. */
export interface History {
  /** The snapshot the events follow, or null when they are the whole stream. */
  snapshot: Snapshot | null
  events: RecordedEvent[]
  /** Why a stored snapshot was not used. */
  rejected?: string
}

/**
 * The storage port the aggregate repository works through. The IndexedDB EventStore implements
 * it in the browser; a server store can implement it on another database. Nothing here touches
 * storage at module load, so aggregates (and the domain built on them) run anywhere.
 */
export interface AggregateStore {
  /**
   * The stream's snapshot, if it has the expected shape (`snapshotVersion`; null to skip
   * snapshots) and still matches the stream, and the events after it — else the whole stream.
   */
  readHistory(stream: string, snapshotVersion: number | null): Promise<History>
  /**
   * Appends the events expecting the stream at `expectedVersion`, then runs the handlers.
   * `stored` hears as soon as the events are stored for good, so a handler that fails afterwards
   * cannot hide that they were.
   */
  publishTracked(
    events: readonly NewEvent[],
    options: { stream: string; expectedVersion: number },
    stored?: (recorded: RecordedEvent[]) => void,
  ): Promise<RecordedEvent[]>
  /** Keeps the snapshot if its stream still holds its event at its version; false otherwise. */
  saveSnapshot(snapshot: Snapshot): Promise<boolean>
  /**
   * Runs several calls as one operation; inside a transaction, the caller resumes in it
   * afterwards (a store without transactions simply runs it).
   */
  within<T>(operation: () => Promise<T>): Promise<T>
}
