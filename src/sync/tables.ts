// Sync's own tables, in the store's database so that pulled events, the cursor and the confirmed
// versions commit together. An app adds them to its read models: `{ ...myTables, ...syncTables }`.
import type { EventStore } from '../eventstore'
import type { SyncReport } from './status'

export const SYNC_STREAMS = 'syncStreams'
export const SYNC_STATE = 'syncState'
export const SYNC_REPORTS = 'syncReports'

export const syncTables: Readonly<Record<string, string>> = {
  [SYNC_STREAMS]: 'stream, dirty',
  [SYNC_STATE]: 'key',
  [SYNC_REPORTS]: '++id',
}

/** A synced stream: the last position the server confirmed, and whether it may hold events past it. */
export interface SyncStreamRow {
  stream: string
  /** -1 before the server confirmed any. */
  confirmed: number
  /** 1 while the stream may hold local events past `confirmed` (IndexedDB cannot index booleans). */
  dirty: 0 | 1
  /**
   * Set while the pending events past `confirmed` went back after the server's without the app's
   * check running through (it threw what is not a refusal): they are not pushed until an engine
   * checks them again.
   */
  unchecked?: true
}

interface StateRow {
  key: string
  value: unknown
}

/** The engine's view of its tables; inside `store.transaction` it joins the transaction. */
export class SyncTables {
  constructor(private readonly store: EventStore) {}

  private get streams() {
    return this.store.db.table<SyncStreamRow, string>(SYNC_STREAMS)
  }

  private get state() {
    return this.store.db.table<StateRow, string>(SYNC_STATE)
  }

  private get reports() {
    return this.store.db.table<SyncReport, number>(SYNC_REPORTS)
  }

  // Each call returns Dexie's own promise (no async functions here): awaited inside
  // store.transaction, it resumes in the transaction, where a native promise would not.

  stream(stream: string): Promise<SyncStreamRow> {
    return this.streams.get(stream).then((row) => row ?? { stream, confirmed: -1, dirty: 0 as const })
  }

  putStream(row: SyncStreamRow): Promise<unknown> {
    return this.streams.put(row)
  }

  markDirty(streams: Iterable<string>): Promise<unknown> {
    const names = [...streams]
    return this.streams.bulkGet(names).then((rows) => this.streams.bulkPut(names.map((stream, i) => ({ ...(rows[i] ?? { stream, confirmed: -1 }), dirty: 1 as const }))))
  }

  dirtyStreams(): Promise<SyncStreamRow[]> {
    return this.streams.where('dirty').equals(1).toArray()
  }

  get<T>(key: string, fallback: T): Promise<T> {
    return this.state.get(key).then((row) => (row === undefined ? fallback : (row.value as T)))
  }

  set(key: string, value: unknown): Promise<unknown> {
    return this.state.put({ key, value })
  }

  delete(key: string): Promise<unknown> {
    return this.state.delete(key)
  }

  deleteStream(stream: string): Promise<unknown> {
    return this.streams.delete(stream)
  }

  /** The shared space a stream is in (its id), undefined for the personal space. Kept as `space:<stream>` in the state table. */
  spaceOf(stream: string): Promise<string | undefined> {
    return this.get<string | undefined>(`space:${stream}`, undefined)
  }

  setSpace(stream: string, space: string): Promise<unknown> {
    return this.set(`space:${stream}`, space)
  }

  /** The streams of the shared space `space`. */
  streamsOfSpace(space: string): Promise<string[]> {
    return this.state
      .where('key')
      .startsWith('space:')
      .toArray()
      .then((rows) => rows.filter((row) => row.value === space).map((row) => row.key.slice('space:'.length)))
  }

  report(report: SyncReport): Promise<unknown> {
    return this.reports.add(report)
  }

  latestReports(count: number): Promise<SyncReport[]> {
    return this.reports.orderBy('id').reverse().limit(count).toArray().then((rows) => rows.reverse())
  }

  /** The tables a sync transaction writes besides the store's own. */
  static readonly names = [SYNC_STREAMS, SYNC_STATE, SYNC_REPORTS]
}
