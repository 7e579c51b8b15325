// RxDB on its free Dexie storage. RxDB has no transactions over several documents, no unique
// index but the primary key and no auto-increment, so, as its docs suggest for such cases:
// - the primary key is composed of [stream, position] ('Cart$c1|42'): an append at a position
//   already taken is a 409 conflict, which is the expected-version check;
// - a stream's version is a count of its documents through the [stream, position] index (RxDB
//   re-sorts descending queries in memory, so "the last one" would read the whole stream);
// - the global position is a counter document bumped with incrementalModify (atomic: RxDB
//   retries on a revision conflict), then stored in the event and indexed for the catch-up.
// RxDB answers a query it has run before from its in-memory query cache; every measured query
// here is dropped from that cache once it ran (untimed), so each read reaches the storage as the
// other libraries' reads do.
import { createRxDatabase, uncacheRxQuery, type RxCollection, type RxDocument, type RxJsonSchema, type RxQuery } from 'rxdb'
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie'
import { VersionConflict, type Peer, type PeerEvent } from '../shape'

interface Counter {
  name: string
  value: number
}

const eventSchema: RxJsonSchema<PeerEvent & { key: string }> = {
  version: 0,
  type: 'object',
  primaryKey: { key: 'key', fields: ['stream', 'position'], separator: '|' },
  properties: {
    key: { type: 'string', maxLength: 120 },
    id: { type: 'string', maxLength: 40 },
    type: { type: 'string' },
    data: { type: 'object' },
    metadata: { type: 'object' },
    stream: { type: 'string', maxLength: 100 },
    position: { type: 'integer', minimum: 0, maximum: 1e9, multipleOf: 1 },
    globalPosition: { type: 'integer', minimum: 0, maximum: 1e12, multipleOf: 1 },
  },
  required: ['key', 'id', 'type', 'data', 'metadata', 'stream', 'position', 'globalPosition'],
  indexes: [['stream', 'position'], 'globalPosition'],
}

const counterSchema: RxJsonSchema<Counter> = {
  version: 0,
  type: 'object',
  primaryKey: 'name',
  properties: { name: { type: 'string', maxLength: 20 }, value: { type: 'integer' } },
  required: ['name', 'value'],
}

export async function openRxdb(name: string): Promise<Peer> {
  const db = await createRxDatabase({ name, storage: getRxStorageDexie() })
  const { events, counters } = (await db.addCollections({ events: { schema: eventSchema }, counters: { schema: counterSchema } })) as unknown as {
    events: RxCollection<PeerEvent & { key: string }>
    counters: RxCollection<Counter>
  }
  let log: RxDocument<Counter> | null = null
  // Runs a query once against the storage, then forgets it so that the next one does too.
  const fresh = async <T>(query: RxQuery<any, T>): Promise<T> => {
    try {
      return await query.exec()
    } finally {
      uncacheRxQuery(events._queryCache, query as never)
    }
  }
  const version = async (stream: string) => (await fresh(events.count({ selector: { stream } }))) - 1
  return {
    name: 'RxDB (Dexie storage)',
    async seed(input) {
      const next = new Map<string, number>()
      for (let start = 0; start < input.length; start += 5_000) {
        const docs = input.slice(start, start + 5_000).map((event, i) => {
          const position = next.get(event.stream) ?? 0
          next.set(event.stream, position + 1)
          return { ...event, key: `${event.stream}|${position}`, position, globalPosition: start + i + 1 }
        })
        const { error } = await events.bulkInsert(docs)
        if (error.length) throw new Error(`RxDB seeding: ${error.length} documents refused, the first with ${error[0]!.status}`)
      }
      log = await counters.insert({ name: 'log', value: input.length })
    },
    version,
    async append(stream, expected, event) {
      log ??= await counters.insert({ name: 'log', value: 0 })
      const { value: globalPosition } = await log.incrementalModify((counter) => ({ ...counter, value: counter.value + 1 }))
      const position = expected + 1
      const { error } = await events.bulkInsert([{ ...event, key: `${stream}|${position}`, position, globalPosition }])
      if (error[0]?.status === 409) throw new VersionConflict(stream, expected)
      if (error[0]) throw new Error(`RxDB refused the event: ${error[0].status}`)
    },
    readStream: (stream) => fresh(events.find({ selector: { stream }, sort: [{ position: 'asc' }] })) as Promise<PeerEvent[]>,
    async catchUp(size, onPage) {
      let after = 0
      let seen = 0
      for (;;) {
        const page = (await fresh(events.find({ selector: { globalPosition: { $gt: after } }, sort: [{ globalPosition: 'asc' }], limit: size }))) as PeerEvent[]
        onPage(page)
        seen += page.length
        if (page.length < size) return seen
        after = page.at(-1)!.globalPosition
      }
    },
    async dispose() {
      await db.remove()
    },
  }
}
