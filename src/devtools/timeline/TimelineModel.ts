import { membershipsOf, type EventStore, type ReadQuery, type RecordedEvent, type StreamPosition } from '../../eventstore'
import { baseQuery, matcher, type TimelineFilter } from './filter'

export interface TimelineRow {
  event: RecordedEvent
  streams: readonly StreamPosition[]
}

export interface TimelineState {
  /** Newest first. */
  rows: readonly TimelineRow[]
  loading: boolean
  /** Nothing older is left to read. */
  exhausted: boolean
  /** Events looked at so far (more than rows when a filter is checked event by event). */
  scanned: number
  error: string | null
}

export interface TimelineOptions {
  /** Rows to add per page. */
  pageSize?: number
  /** Events read per request while a filter is checked event by event. */
  scanChunk?: number
  /** Past this many new matching events at once, start over from the newest instead. */
  liveCap?: number
}

/**
 * The timeline's rows for one filter, read by key range: older pages backward from the oldest
 * event read so far, newer events forward from the newest. Nothing is read by offset and nothing
 * is loaded that the list has not asked for. Reads run one at a time, in order.
 */
export class TimelineModel {
  private state: TimelineState = { rows: [], loading: false, exhausted: false, scanned: 0, error: null }
  private readonly listeners = new Set<() => void>()
  private readonly query: ReadQuery
  private readonly match: ((event: RecordedEvent) => boolean) | null
  /** True when part of the filter is checked event by event here, not answered by a key range. */
  readonly checksEachEvent: boolean
  /** The oldest and newest events read in the query's order, matching or not. */
  private tailId: string | null = null
  private headId: string | null = null
  private queue: Promise<void> = Promise.resolve()
  private olderQueued = false
  private newerQueued = false
  private disposed = false
  private readonly pageSize: number
  private readonly scanChunk: number
  private readonly liveCap: number

  constructor(
    private readonly store: EventStore,
    filter: TimelineFilter,
    options: TimelineOptions = {},
  ) {
    this.query = baseQuery(store, filter)
    this.match = matcher(filter)
    this.checksEachEvent = this.match !== null
    this.pageSize = options.pageSize ?? 100
    this.scanChunk = options.scanChunk ?? 1000
    this.liveCap = options.liveCap ?? 2000
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener)
    return () => void this.listeners.delete(listener)
  }

  getSnapshot = (): TimelineState => this.state

  /** Reads the next page of older rows (the first page, the first time). */
  loadMore(): Promise<void> {
    if (this.olderQueued || this.state.exhausted || this.disposed) return this.queue
    this.olderQueued = true
    return this.enqueue(() => this.readOlder())
  }

  /** Reads what was committed since the newest event read (after a commit here or in another tab). */
  refresh(): Promise<void> {
    if (this.newerQueued || this.disposed) return this.queue
    this.newerQueued = true
    return this.enqueue(() => this.readNewer())
  }

  dispose(): void {
    this.disposed = true
    this.listeners.clear()
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(work).catch((error: unknown) => {
      this.set({ loading: false, error: error instanceof Error ? error.message : String(error) })
    })
    return this.queue
  }

  private async readOlder(): Promise<void> {
    this.olderQueued = false
    if (this.state.exhausted || this.disposed) return
    this.set({ loading: true, error: null })
    const chunk = this.match ? this.scanChunk : this.pageSize
    const found: RecordedEvent[] = []
    let exhausted = false
    while (found.length < this.pageSize) {
      const query = this.query.backward().limit(chunk)
      const page = await (this.tailId === null ? query : query.from(this.tailId)).toArray()
      if (this.disposed) return
      if (page.length) {
        this.tailId = (page.at(-1) as RecordedEvent).eventId
        this.headId ??= (page[0] as RecordedEvent).eventId
      }
      for (const event of page) if (!this.match || this.match(event)) found.push(event)
      this.set({ scanned: this.state.scanned + page.length })
      if (page.length < chunk) {
        exhausted = true
        break
      }
    }
    const rows = await this.withStreams(found)
    if (this.disposed) return
    this.set({ rows: [...this.state.rows, ...rows], exhausted, loading: false })
  }

  private async readNewer(): Promise<void> {
    this.newerQueued = false
    // Before the first page, the first page will include whatever is new.
    if (this.disposed || (this.headId === null && !this.state.exhausted)) return
    const found: RecordedEvent[] = []
    for (;;) {
      const query = this.query.forward().limit(this.scanChunk)
      const page = await (this.headId === null ? query : query.from(this.headId)).toArray()
      if (this.disposed) return
      if (page.length === 0) break
      this.headId = (page.at(-1) as RecordedEvent).eventId
      this.tailId ??= (page[0] as RecordedEvent).eventId
      for (const event of page) if (!this.match || this.match(event)) found.push(event)
      this.set({ scanned: this.state.scanned + page.length })
      if (found.length > this.liveCap) return this.startOver()
      if (page.length < this.scanChunk) break
    }
    if (found.length === 0) return
    const rows = await this.withStreams(found.reverse())
    if (this.disposed) return
    this.set({ rows: [...rows, ...this.state.rows] })
  }

  /** Too much arrived at once (an import in another tab): show the newest page again. */
  private async startOver(): Promise<void> {
    this.tailId = null
    this.headId = null
    this.set({ rows: [], exhausted: false, scanned: 0 })
    await this.readOlder()
  }

  private async withStreams(events: RecordedEvent[]): Promise<TimelineRow[]> {
    if (events.length === 0) return []
    const streams = await membershipsOf(this.store, events.map((e) => e.eventId))
    return events.map((event) => ({ event, streams: streams.get(event.eventId) ?? [] }))
  }

  private set(patch: Partial<TimelineState>): void {
    if (this.disposed) return
    this.state = { ...this.state, ...patch }
    for (const listener of this.listeners) listener()
  }
}
