// Kiroku as an app uses it: openEventStore, streamVersion, a checked append, a stream read and
// the log read in batches. Seeded in its own layout through the bench's bulk writer (fixtures.ts).
import { openEventStore, WrongExpectedVersionError, type NewEvent, type RecordedEvent } from '../../../src/eventstore'
import { request, seed } from '../../fixtures'
import { VersionConflict, type LineData, type NewPeerEvent, type Peer, type PeerEvent } from '../shape'

const toNew = (event: NewPeerEvent): NewEvent => ({ eventId: event.id, type: event.type, data: event.data, metadata: { correlationId: event.metadata.correlationId } }) as NewEvent

// Kiroku's metadata holds Dates (timestamp, validAt); the workloads read only data and positions.
const toPeer = (event: RecordedEvent, stream: string, position: number): PeerEvent => ({
  id: event.eventId,
  type: event.type,
  data: event.data as LineData,
  metadata: event.metadata as unknown as PeerEvent['metadata'],
  stream,
  position,
  globalPosition: event.globalPosition,
})

export async function openKiroku(name: string): Promise<Peer> {
  const store = await openEventStore({ name })
  return {
    name: 'Kiroku',
    async seed(events) {
      const db = await request(indexedDB.open(name))
      try {
        await seed(db, events.map((event) => ({ event: toNew(event), stream: event.stream })))
      } finally {
        db.close()
      }
    },
    version: (stream) => store.streamVersion(stream),
    async append(stream, expected, event) {
      try {
        await store.append([toNew(event)], { stream, expectedVersion: expected })
      } catch (error) {
        throw error instanceof WrongExpectedVersionError ? new VersionConflict(stream, expected, error) : error
      }
    },
    async readStream(stream) {
      const events = await store.read.stream(stream).toArray()
      return events.map((event, i) => toPeer(event, stream, i))
    },
    async catchUp(size, onPage) {
      let seen = 0
      // The log holds no stream: an event's streams are a separate store (it may be linked to several).
      for await (const batch of store.read.inBatches(size)) {
        onPage(batch.map((event) => toPeer(event, '', -1)))
        seen += batch.length
      }
      return seen
    },
    async dispose() {
      store.close()
      await request(indexedDB.deleteDatabase(name))
    },
  }
}
