// PouchDB on its IndexedDB adapter ('indexeddb', pouchdb-adapter-indexeddb). As its docs
// recommend for ordered keys, a document's _id is the stream and its zero-padded position
// ('Cart$c1|0000000042'): a stream is an _id range read with allDocs, its version the last _id of
// that range (descending, limit 1), and an append at a position already taken is a 409
// conflict, the expected-version check. The global order is PouchDB's own: the changes feed's
// update sequence, which numbers every write in commit order; a catch-up pages through
// changes({ since, limit, include_docs }), and the event's global position is its seq there.
import PouchDB from 'pouchdb-core'
import indexeddb from 'pouchdb-adapter-indexeddb'
import { VersionConflict, type Peer, type PeerEvent } from '../shape'

PouchDB.plugin(indexeddb)

const WIDTH = 10
const idOf = (stream: string, position: number) => `${stream}|${String(position).padStart(WIDTH, '0')}`

type Doc = Omit<PeerEvent, 'globalPosition'> & { _id: string; _rev?: string; globalPosition?: number }

export async function openPouchdb(name: string): Promise<Peer> {
  const db = new PouchDB<Doc>(name, { adapter: 'indexeddb' })
  const version = async (stream: string) => {
    const { rows } = await db.allDocs({ startkey: `${stream}|\uffff`, endkey: `${stream}|`, descending: true, limit: 1 })
    return rows[0] ? Number(rows[0].id.slice(stream.length + 1)) : -1
  }
  return {
    name: 'PouchDB (indexeddb adapter)',
    async seed(events) {
      const next = new Map<string, number>()
      for (let start = 0; start < events.length; start += 5_000) {
        const docs: Doc[] = events.slice(start, start + 5_000).map((event) => {
          const position = next.get(event.stream) ?? 0
          next.set(event.stream, position + 1)
          return { ...event, _id: idOf(event.stream, position), position }
        })
        const results = await db.bulkDocs(docs)
        const failed = results.filter((result) => 'error' in result && result.error)
        if (failed.length) throw new Error(`PouchDB seeding: ${failed.length} documents refused`)
      }
    },
    version,
    async append(stream, expected, event) {
      const position = expected + 1
      try {
        await db.put({ ...event, _id: idOf(stream, position), position })
      } catch (error) {
        throw (error as { status?: number }).status === 409 ? new VersionConflict(stream, expected, error) : error
      }
    },
    async readStream(stream) {
      const { rows } = await db.allDocs({ startkey: `${stream}|`, endkey: `${stream}|\uffff`, include_docs: true })
      // allDocs gives no update sequence: a stream read has no global position here.
      return rows.map((row) => row.doc as unknown as PeerEvent)
    },
    async catchUp(size, onPage) {
      let since: number | string = 0
      let seen = 0
      for (;;) {
        const { results, last_seq } = await db.changes({ since, limit: size, include_docs: true })
        const page = results.map((change) => ({ ...(change.doc as unknown as PeerEvent), globalPosition: Number(change.seq) }))
        onPage(page)
        seen += page.length
        if (results.length < size) return seen
        since = last_seq
      }
    },
    async dispose() {
      await db.destroy()
    },
  }
}
