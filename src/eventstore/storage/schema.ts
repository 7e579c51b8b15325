import type { Snapshot } from '../aggregates'
import type { EventMetadata } from '../events'

export const EVENTS = 'events'
export const STREAMS = 'streams'
export const SNAPSHOTS = 'snapshots'
/** The deferred projections' table: one checkpoint row per projection, named after it. */
export const PROJECTIONS = 'projections'

/** The log's index by type: `[type, position]`. */
export const BY_TYPE = '[type+position]'
/** The log's index by correlation id: `[metadata.correlationId, position]`. */
export const BY_CORRELATION = '[metadata.correlationId+position]'

/** A row of the global log. `position` is the auto-increment key: the event's global position. */
export interface EventRecord {
  position?: number
  eventId: string
  type: string
  data: unknown
  metadata: EventMetadata
}

/** The latest snapshot of a stream's aggregate (the aggregates' port defines its shape). */
export type SnapshotRecord = Snapshot

/** Where a deferred projection stands in the log, and why it stopped if it did. */
export interface CheckpointRecord {
  name: string
  /** Global position of the last event applied (0: none yet). */
  position: number
  /** Its id, to read on from it. */
  eventId: string | null
  updatedAt: Date
  /** The projection's version that wrote the read model (1 when absent). */
  version?: number
  failure?: ProjectionFailure
}

export interface ProjectionFailure {
  eventId: string
  position: number
  attempts: number
  error: { name: string; message: string }
  at: Date
}

/** A row of stream membership, keyed by [stream+position]. */
export interface StreamRecord {
  stream: string
  position: number
  eventId: string
  globalPosition: number
  type: string
  /** Orders the streams an event belongs to by when it joined them. */
  joinOrder: number
}

/**
 * The library's own tables, one entry per schema version. A new version may add tables or
 * indexes and an upgrade step; Dexie applies the steps an older database has not seen yet.
 * Dexie versions are `library version × 1000 + read-model version`, so the app's read-model
 * tables can evolve on their own without re-running the library's upgrades.
 */
export const librarySchema: ReadonlyArray<{ version: number; stores: Record<string, string> }> = [
  {
    version: 1,
    stores: {
      [EVENTS]: '++position, &eventId',
      [STREAMS]: '[stream+position], eventId',
    },
  },
  {
    // Aggregate snapshots: the latest one per stream.
    version: 2,
    stores: {
      [EVENTS]: '++position, &eventId',
      [STREAMS]: '[stream+position], eventId',
      [SNAPSHOTS]: 'stream',
    },
  },
  {
    // Deferred projections' checkpoints, written in the same transaction as their read models.
    version: 3,
    stores: {
      [EVENTS]: '++position, &eventId',
      [STREAMS]: '[stream+position], eventId',
      [SNAPSHOTS]: 'stream',
      [PROJECTIONS]: 'name',
    },
  },
  {
    // The log by type and by correlation id, each in position order, so a filter on either reads
    // only its matches (newest first by a reverse range) and the types present are one key step
    // per type. IndexedDB fills both indexes from the stored events when an older database opens.
    version: 4,
    stores: {
      [EVENTS]: `++position, &eventId, ${BY_TYPE}, ${BY_CORRELATION}`,
      [STREAMS]: '[stream+position], eventId',
      [SNAPSHOTS]: 'stream',
      [PROJECTIONS]: 'name',
    },
  },
]

export const LIBRARY_VERSION_STEP = 1000
