import type { Table } from 'dexie'
import type { EventStore } from '../client'
import type { RecordedEvent } from '../events'
import { PROJECTIONS, type CheckpointRecord } from '../storage'

export type Position = Pick<CheckpointRecord, 'position' | 'eventId'>
export interface PlainError {
  name: string
  message: string
}

/**
 * Where each deferred projection stands in the log: one row per projection in the `projections`
 * table, moved in the same transaction as its read model (commitBatch), and the failure that
 * stopped it, kept so that a reload shows it too.
 */
export class Checkpoints {
  constructor(private readonly store: EventStore) {}

  /** The projection's row; a projection that never ran stands before the first event. */
  async get(name: string): Promise<CheckpointRecord> {
    const row = (await this.store.db.table(PROJECTIONS).get(name)) as CheckpointRecord | undefined
    return row ?? { name, position: 0, eventId: null, updatedAt: new Date(0) }
  }

  /** Keeps why the projection stopped at `event`; resolves with the row as committed. */
  async keepFailure(name: string, event: Pick<RecordedEvent, 'eventId' | 'globalPosition'>, attempts: number, error: PlainError): Promise<CheckpointRecord> {
    const row = await this.get(name)
    await this.store.db.table(PROJECTIONS).put({
      ...row,
      failure: { eventId: event.eventId, position: event.globalPosition, attempts, error, at: new Date() },
    } satisfies CheckpointRecord)
    return row
  }

  async clearFailure(name: string): Promise<void> {
    const row = await this.get(name)
    if (!row.failure) return
    delete row.failure
    await this.store.db.table(PROJECTIONS).put(row)
  }

  /** Back to before the first event, written through `table` (the caller's transaction's). */
  static reset(table: Table, name: string, version: number): Promise<unknown> {
    return table.put({ name, position: 0, eventId: null, updatedAt: new Date(), version } satisfies CheckpointRecord)
  }
}
