import type Dexie from 'dexie'
import { storageError } from './idb'
import { SNAPSHOTS, STREAMS, type SnapshotRecord, type StreamRecord } from './schema'

/**
 * The latest snapshot of each stream's aggregate, one row per stream. A stored snapshot always
 * describes its stream as it is: `put` keeps one only while the stream holds its event at its
 * version, and `deleteStream` drops it in the delete's own transaction.
 */
export class SnapshotStore {
  constructor(private readonly db: Dexie) {}

  async get(stream: string): Promise<SnapshotRecord | undefined> {
    try {
      return await this.db.table<SnapshotRecord, string>(SNAPSHOTS).get(stream)
    } catch (error) {
      throw storageError(error)
    }
  }

  /**
   * Keeps the snapshot if the stream still holds its event at its version, checked in the write's
   * own transaction (joining the caller's, inside `store.transaction`); false when it does not.
   * A stream deleted between an aggregate's store and its snapshot thus gets no stale snapshot.
   */
  async put(snapshot: SnapshotRecord): Promise<boolean> {
    try {
      return await this.db.transaction('rw', [STREAMS, SNAPSHOTS], async () => {
        const row = await this.db.table<StreamRecord, [string, number]>(STREAMS).get([snapshot.stream, snapshot.version])
        if (row?.eventId !== snapshot.eventId) return false
        await this.db.table<SnapshotRecord, string>(SNAPSHOTS).put(snapshot)
        return true
      })
    } catch (error) {
      throw storageError(error)
    }
  }
}
