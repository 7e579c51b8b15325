// Plain Dexie as a careful app would use it for an event log: one table keyed by an
// auto-incremented global position, a unique index on the event id and a unique compound index
// [stream+position]; the checked append reads the stream's last position and adds the event in
// one rw transaction, so a wrong expected version (or a gap) writes nothing.
import Dexie, { type Table } from 'dexie'
import { VersionConflict, type Peer, type PeerEvent } from '../shape'

type Row = Omit<PeerEvent, 'globalPosition'> & { globalPosition?: number }

export async function openDexie(name: string): Promise<Peer> {
  const db = new Dexie(name) as Dexie & { events: Table<Row, number> }
  db.version(1).stores({ events: '++globalPosition, &id, &[stream+position]' })
  await db.open()
  const inStream = (stream: string) => db.events.where('[stream+position]').between([stream, Dexie.minKey], [stream, Dexie.maxKey])
  const version = async (stream: string) => {
    const [last] = await inStream(stream).reverse().limit(1).keys()
    return last === undefined ? -1 : (last as unknown as [string, number])[1]
  }
  return {
    name: 'Dexie',
    async seed(events) {
      const next = new Map<string, number>()
      for (let start = 0; start < events.length; start += 5_000) {
        const rows: Row[] = events.slice(start, start + 5_000).map((event) => {
          const position = next.get(event.stream) ?? 0
          next.set(event.stream, position + 1)
          return { ...event, position }
        })
        await db.events.bulkAdd(rows)
      }
    },
    version,
    append: (stream, expected, event) =>
      db.transaction('rw', db.events, async () => {
        if ((await version(stream)) !== expected) throw new VersionConflict(stream, expected)
        await db.events.add({ ...event, position: expected + 1 })
      }),
    readStream: (stream) => inStream(stream).toArray() as Promise<PeerEvent[]>,
    async catchUp(size, onPage) {
      let after = 0
      let seen = 0
      for (;;) {
        // One short readonly transaction a page, as a consumer that awaits between pages needs.
        const page = (await db.events.where(':id').above(after).limit(size).toArray()) as PeerEvent[]
        onPage(page)
        seen += page.length
        if (page.length < size) return seen
        after = page.at(-1)!.globalPosition
      }
    },
    async dispose() {
      db.close()
      await Dexie.delete(name)
    },
  }
}
