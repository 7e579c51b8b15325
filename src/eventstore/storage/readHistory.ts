// What loading an aggregate reads, in one read transaction: the stream's snapshot when it can be
// used, then only the events after it; otherwise the whole stream. One transaction instead of
// three (snapshot, its position, the events) is most of a snapshotted load's cost.
import type { History } from '../aggregates'
import { eventsAt, streamRange } from './EventRepository'
import { request } from './idb'
import { SNAPSHOTS, STREAMS, type SnapshotRecord, type StreamRecord } from './schema'

/** `snapshotVersion`: the snapshot shape the aggregate expects, or null to skip snapshots. */
export async function readHistory(tx: IDBTransaction, stream: string, snapshotVersion: number | null): Promise<History> {
  let rejected: string | undefined
  if (snapshotVersion !== null) {
    const snapshot = await request(tx.objectStore(SNAPSHOTS).get(stream) as IDBRequest<SnapshotRecord | undefined>)
    if (snapshot && snapshot.schemaVersion !== snapshotVersion) {
      rejected = `snapshot shape ${snapshot.schemaVersion}, aggregate expects ${snapshotVersion}`
    } else if (snapshot) {
      // The snapshot must still match the stream: the same event at the same position.
      const rows = await streamRows(tx, streamRange(stream, snapshot.version - 1))
      const first = rows[0]
      if (first?.position === snapshot.version && first.eventId === snapshot.eventId) {
        return { snapshot, events: await eventsAt(tx, rows.slice(1).map((row) => row.globalPosition)) }
      }
      rejected = 'the stream no longer matches the snapshot'
    }
  }
  const rows = await streamRows(tx, streamRange(stream))
  const history: History = { snapshot: null, events: await eventsAt(tx, rows.map((row) => row.globalPosition)) }
  if (rejected !== undefined) history.rejected = rejected
  return history
}

const streamRows = (tx: IDBTransaction, range: IDBKeyRange): Promise<StreamRecord[]> =>
  request(tx.objectStore(STREAMS).getAll(range) as IDBRequest<StreamRecord[]>)
