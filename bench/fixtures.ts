// What every benchmark round starts from: a fresh database in Kiroku's own layout, opened twice —
// once through openEventStore (the library under test) and once as a bare IDBDatabase (the
// hand-written baseline) — and seeded with the same records both sides then read.
import { ItemAdded } from '../src/domain'
import { openEventStore, type Durability, type EventStore, type NewEvent } from '../src/eventstore'
import { PROJECTIONS, EVENTS, SNAPSHOTS, STREAMS, type EventRecord, type SnapshotRecord, type StreamRecord } from '../src/eventstore/storage'

export { PROJECTIONS, EVENTS, SNAPSHOTS, STREAMS }
export type { EventRecord, SnapshotRecord, StreamRecord }

/** The read models the projection benchmark writes: Kiroku's projection and the baseline's, side by side. */
export const KIROKU_LINES = 'benchLines'
export const KIROKU_QUEUED_LINES = 'benchQueuedLines'
export const KIROKU_BATCH_LINES = 'benchBatchLines'
export const RAW_LINES = 'rawLines'
const readModels = { version: 1, stores: { [KIROKU_LINES]: 'id', [KIROKU_QUEUED_LINES]: 'id', [KIROKU_BATCH_LINES]: 'id', [RAW_LINES]: 'id' } }

export interface Fixture {
  readonly name: string
  readonly store: EventStore
  readonly raw: IDBDatabase
  dispose(): Promise<void>
}

let opened = 0

/** A fresh database for one round. Both connections stay open until dispose() deletes it. */
export async function openFixture(label: string, durability: Durability): Promise<Fixture> {
  const name = `kiroku-bench-${label}-${Date.now().toString(36)}-${++opened}`
  const store = await openEventStore({ name, readModels, durability })
  const raw = await request(indexedDB.open(name))
  return {
    name,
    store,
    raw,
    async dispose() {
      store.close()
      raw.close()
      await request(indexedDB.deleteDatabase(name))
    },
  }
}

/** The row Kiroku stores for a new event (EventStore.toRecords): metadata completed, no position yet. */
export function toRecord(event: NewEvent, correlationId: string, now: Date): EventRecord {
  return {
    eventId: event.eventId,
    type: event.type,
    data: event.data,
    metadata: { ...event.metadata, correlationId, timestamp: now, validAt: now },
  }
}

export const toRecords = (events: readonly NewEvent[]): EventRecord[] => {
  const now = new Date()
  const correlationId = events[0]?.eventId ?? ''
  return events.map((event) => toRecord(event, correlationId, now))
}

export interface SeedItem {
  event: NewEvent
  stream: string | null
}

/**
 * Writes events and their stream rows exactly as Kiroku would, but through bulk raw
 * transactions: seeding is set-up, not what is measured. Streams must be new.
 */
export async function seed(db: IDBDatabase, items: readonly SeedItem[], perTransaction = 5_000): Promise<void> {
  const versions = new Map<string, number>()
  for (let start = 0; start < items.length; start += perTransaction) {
    const chunk = items.slice(start, start + perTransaction)
    await new Promise<void>((resolve, reject) => {
      const tx = db.transaction([EVENTS, STREAMS], 'readwrite', { durability: 'relaxed' })
      tx.oncomplete = () => resolve()
      tx.onabort = tx.onerror = () => reject(tx.error)
      const log = tx.objectStore(EVENTS)
      const streams = tx.objectStore(STREAMS)
      const now = new Date()
      for (const { event, stream } of chunk) {
        const add = log.add(toRecord(event, event.eventId, now))
        if (stream === null) continue
        const position = (versions.get(stream) ?? -1) + 1
        versions.set(stream, position)
        add.onsuccess = () => {
          const row: StreamRecord = { stream, position, eventId: event.eventId, globalPosition: add.result as number, type: event.type, joinOrder: 0 }
          streams.add(row)
        }
      }
    })
  }
}

/**
 * Reads the whole log once, untimed, after seeding: the first reader of freshly written data
 * would otherwise pay for the storage engine settling (compaction, caches), and that would
 * always be whichever side goes first.
 */
export async function settle(db: IDBDatabase): Promise<void> {
  let after = 0
  for (;;) {
    const page = await request(db.transaction(EVENTS).objectStore(EVENTS).getAllKeys(IDBKeyRange.lowerBound(after, true), 10_000))
    if (page.length < 10_000) return
    after = page.at(-1) as number
  }
}

export function putSnapshot(db: IDBDatabase, snapshot: SnapshotRecord): Promise<void> {
  return new Promise((resolve, reject) => {
    const tx = db.transaction(SNAPSHOTS, 'readwrite', { durability: 'relaxed' })
    tx.objectStore(SNAPSHOTS).put(snapshot)
    tx.oncomplete = () => resolve()
    tx.onabort = () => reject(tx.error)
  })
}

/** Cart.ItemAdded events like the app's, about 200 bytes stored each. */
export function itemAdded(cartId: string, index: number): NewEvent {
  return ItemAdded({ cartId, itemId: `product-${index % 400}`, quantity: 1 + (index % 3), price: 1200 + (index % 50) * 10 })
}

export function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result)
    req.onerror = () => reject(req.error)
  })
}
