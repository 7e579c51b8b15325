import type Dexie from 'dexie'
import { storageError } from './idb'
import { SNAPSHOTS, type SnapshotRecord } from './schema'

/** The latest snapshot of each stream's aggregate, one row per stream. */
export class SnapshotStore {
  constructor(private readonly db: Dexie) {}

  async get(stream: string): Promise<SnapshotRecord | undefined> {
    try {
      return await this.db.table<SnapshotRecord, string>(SNAPSHOTS).get(stream)
    } catch (error) {
      throw storageError(error)
    }
  }

  async put(snapshot: SnapshotRecord): Promise<void> {
    try {
      await this.db.table<SnapshotRecord, string>(SNAPSHOTS).put(snapshot)
    } catch (error) {
      throw storageError(error)
    }
  }
}
