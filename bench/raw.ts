// The baseline: what a careful hand-written IndexedDB app does for the same work on the same
// database layout (src/eventstore/schema.ts), with no library in between. Callbacks, not a
// promise per request; every request of a transaction sent at once wherever the data allows.
// It is what Kiroku is measured against, so it must stay the best honest hand-written version.
import { PROJECTIONS, EVENTS, SNAPSHOTS, STREAMS, type EventRecord, type SnapshotRecord, type StreamRecord } from './fixtures'

type Durability = 'default' | 'strict' | 'relaxed'

const streamRange = (stream: string, from = -Infinity) => IDBKeyRange.bound([stream, from], [stream, Infinity])

function finish<T>(tx: IDBTransaction, result: () => T): Promise<T> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve(result())
    tx.onabort = () => reject(tx.error ?? new Error('transaction aborted'))
  })
}

/**
 * A checked append: read the stream's version, add the log rows and the stream rows, all in one
 * readwrite transaction; a wrong version aborts it. Resolves with the global positions once committed.
 */
export function checkedAppend(db: IDBDatabase, stream: string, expected: number, records: EventRecord[], durability: Durability): Promise<number[]> {
  const tx = db.transaction([EVENTS, STREAMS], 'readwrite', { durability })
  const log = tx.objectStore(EVENTS)
  const streams = tx.objectStore(STREAMS)
  const positions: number[] = new Array(records.length)
  let current = -1
  let failure: Error | null = null
  const version = streams.openKeyCursor(streamRange(stream), 'prev')
  version.onsuccess = () => {
    current = version.result ? (version.result.key as [string, number])[1] : -1
    if (current !== expected) {
      failure = new Error(`wrong expected version: ${expected}, stream is at ${current}`)
      tx.abort()
    }
  }
  // Sent together with the version read; requests run in order, so the version is known before any add succeeds.
  records.forEach((record, i) => {
    const add = log.add(record)
    add.onsuccess = () => {
      const globalPosition = add.result as number
      positions[i] = globalPosition
      const row: StreamRecord = { stream, position: current + 1 + i, eventId: record.eventId, globalPosition, type: record.type, joinOrder: 0 }
      streams.add(row)
    }
  })
  return finish(tx, () => positions).catch((error: unknown) => {
    throw failure ?? error
  })
}

export interface Loaded {
  snapshot: SnapshotRecord | undefined
  /** The log rows after the snapshot (all of them without one), in stream order. */
  records: EventRecord[]
}

/**
 * An aggregate's events: with `snapshots`, the stream's snapshot first and only the rows from its
 * position on (checking the snapshot's event is still there); then each log row by key.
 */
export function loadStream(db: IDBDatabase, stream: string, snapshots: boolean): Promise<Loaded> {
  const tx = db.transaction(snapshots ? [SNAPSHOTS, STREAMS, EVENTS] : [STREAMS, EVENTS], 'readonly')
  const log = tx.objectStore(EVENTS)
  const out: Loaded = { snapshot: undefined, records: [] }
  return new Promise<Loaded>((resolve, reject) => {
    tx.onabort = () => reject(tx.error)
    const readRows = (snapshot: SnapshotRecord | undefined) => {
      const rows = tx.objectStore(STREAMS).getAll(streamRange(stream, snapshot ? snapshot.version : -Infinity)) as IDBRequest<StreamRecord[]>
      rows.onsuccess = () => {
        let list = rows.result
        if (snapshot) {
          if (list[0]?.eventId === snapshot.eventId) {
            out.snapshot = snapshot
            list = list.slice(1)
          } else {
            // The stream changed under the snapshot: replay it all.
            return readRows(undefined)
          }
        }
        const records: EventRecord[] = new Array(list.length)
        let left = list.length
        if (left === 0) return resolve(out)
        list.forEach((row, i) => {
          const get = log.get(row.globalPosition) as IDBRequest<EventRecord>
          get.onsuccess = () => {
            records[i] = get.result
            if (--left === 0) {
              out.records = records
              resolve(out)
            }
          }
        })
      }
    }
    if (!snapshots) return readRows(undefined)
    const get = tx.objectStore(SNAPSHOTS).get(stream) as IDBRequest<SnapshotRecord | undefined>
    get.onsuccess = () => readRows(get.result)
  })
}

/** One page of the log after `after`, in its own short transaction. */
export function logPage(db: IDBDatabase, after: number, size: number): Promise<EventRecord[]> {
  const tx = db.transaction(EVENTS, 'readonly')
  const req = tx.objectStore(EVENTS).getAll(IDBKeyRange.lowerBound(after, true), size) as IDBRequest<EventRecord[]>
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result)
    tx.onabort = () => reject(tx.error)
  })
}

/** Reads the whole log page by page; resolves with how many events it saw. */
export async function catchUp(db: IDBDatabase, size: number, onPage?: (page: EventRecord[]) => void): Promise<number> {
  let after = 0
  let seen = 0
  for (;;) {
    const page = await logPage(db, after, size)
    onPage?.(page)
    seen += page.length
    if (page.length < size) return seen
    after = page.at(-1)!.position as number
  }
}

interface Checkpoint {
  name: string
  position: number
  eventId: string | null
  updatedAt: Date
}

/**
 * A deferred projection by hand: per page, one readwrite transaction reads the checkpoint and the
 * next events, writes the read-model rows and moves the checkpoint. Resolves with the events applied.
 */
export async function project(
  db: IDBDatabase,
  name: string,
  table: string,
  size: number,
  rowOf: (record: EventRecord) => object | null,
  durability: Durability,
  onPage?: (position: number) => void,
): Promise<number> {
  let applied = 0
  for (;;) {
    const tx = db.transaction([EVENTS, table, PROJECTIONS], 'readwrite', { durability })
    let count = 0
    let position = 0
    const checkpoint = tx.objectStore(PROJECTIONS).get(name) as IDBRequest<Checkpoint | undefined>
    checkpoint.onsuccess = () => {
      const page = tx.objectStore(EVENTS).getAll(IDBKeyRange.lowerBound(checkpoint.result?.position ?? 0, true), size) as IDBRequest<EventRecord[]>
      page.onsuccess = () => {
        const records = page.result
        count = records.length
        if (count === 0) return
        const rows = tx.objectStore(table)
        for (const record of records) {
          const row = rowOf(record)
          if (row) rows.put(row)
        }
        const last = records.at(-1)!
        position = last.position as number
        tx.objectStore(PROJECTIONS).put({ name, position, eventId: last.eventId, updatedAt: new Date() } satisfies Checkpoint)
      }
    }
    await finish(tx, () => undefined)
    applied += count
    if (count > 0) onPage?.(position)
    if (count < size) return applied
  }
}
