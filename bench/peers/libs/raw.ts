// Hand-written IndexedDB on Kiroku's own layout: the bench's baseline (bench/raw.ts) for the
// checked append, the stream read and the log pages, plus the version read a command makes first.
import { openEventStore, type NewEvent } from '../../../src/eventstore'
import { request, seed, STREAMS, toRecords, type EventRecord } from '../../fixtures'
import { catchUp, checkedAppend, loadStream } from '../../raw'
import { VersionConflict, type LineData, type NewPeerEvent, type Peer, type PeerEvent } from '../shape'

const toNew = (event: NewPeerEvent): NewEvent => ({ eventId: event.id, type: event.type, data: event.data, metadata: { correlationId: event.metadata.correlationId } }) as NewEvent

const toPeer = (record: EventRecord, stream: string, position: number): PeerEvent => ({
  id: record.eventId,
  type: record.type,
  data: record.data as LineData,
  metadata: record.metadata as unknown as PeerEvent['metadata'],
  stream,
  position,
  globalPosition: record.position!,
})

/** The stream's last position: one reverse key cursor over its rows in a readonly transaction. */
function streamVersion(db: IDBDatabase, stream: string): Promise<number> {
  const tx = db.transaction(STREAMS, 'readonly')
  const req = tx.objectStore(STREAMS).openKeyCursor(IDBKeyRange.bound([stream, -Infinity], [stream, Infinity]), 'prev')
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result ? (req.result.key as [string, number])[1] : -1)
    tx.onabort = () => reject(tx.error)
  })
}

export async function openRaw(name: string): Promise<Peer> {
  // The layout is Kiroku's, made by Kiroku's own upgrade; then only the bare connection is used.
  ;(await openEventStore({ name })).close()
  const db = await request(indexedDB.open(name))
  return {
    name: 'raw IndexedDB',
    seed: (events) => seed(db, events.map((event) => ({ event: toNew(event), stream: event.stream }))),
    version: (stream) => streamVersion(db, stream),
    async append(stream, expected, event) {
      try {
        await checkedAppend(db, stream, expected, toRecords([toNew(event)]), 'default')
      } catch (error) {
        throw error instanceof Error && error.message.startsWith('wrong expected version') ? new VersionConflict(stream, expected, error) : error
      }
    },
    async readStream(stream) {
      const { records } = await loadStream(db, stream, false)
      return records.map((record, i) => toPeer(record, stream, i))
    },
    catchUp: (size, onPage) => catchUp(db, size, (page) => onPage(page.map((record) => toPeer(record, '', -1)))),
    async dispose() {
      db.close()
      await request(indexedDB.deleteDatabase(name))
    },
  }
}
