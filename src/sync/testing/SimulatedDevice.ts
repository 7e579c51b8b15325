// One simulated device: its own store and sync engine, reaching the server through a network the
// test controls (DeviceNetwork). The engine is never started (no timers, no live channel): the
// test says when a device syncs.
import { AggregateRepository, listStreams, type EventStore } from '../../eventstore'
import { httpTransport, SYNC_REPORTS, SyncEngine, type SyncDefinition, type SyncEngineOptions, type SyncReport } from '..'
import { DeviceNetwork, type AnswerKind } from './DeviceNetwork'
import type { ServerConnection } from './ServerConnection'

/** An event of a stream as the convergence check compares it: where it is, what it is. */
export interface PlacedEvent {
  /** Its stream position (0 for the stream's first event). */
  position: number
  eventId: string
  type: string
  data: unknown
}

/** The engine settings a test may choose (small commits and pull pages reach more cases). */
export type DeviceEngineOptions = Pick<SyncEngineOptions, 'commitSize' | 'pullLimit' | 'backoff' | 'now'>

/** What sync told a device it changed in its log (the engine's `onChanged`). */
export interface DeviceChange {
  streams: string[]
  /** Events were taken out (a rebase, a rejection): read models built from them must be rebuilt. */
  rewritten: boolean
  position: number
}

/** @internal What the world gives a device it makes. */
export interface DeviceSetup {
  name: string
  userName: string
  store: EventStore
  /** Closes the store (and deletes its database when the world made it). */
  release(): Promise<void>
  connection: ServerConnection
  headers: Record<string, string>
  definition: SyncDefinition
  engine: DeviceEngineOptions
  onChanged?: (device: SimulatedDevice, change: DeviceChange) => void | Promise<void>
}

export class SimulatedDevice {
  /** How many times sync took events out of its log (a rebase or a rejection rewrote a stream). */
  rewrites = 0
  readonly repository: AggregateRepository
  private current: SyncEngine
  private inFlight: Promise<void> = Promise.resolve()
  private readonly net: DeviceNetwork
  private readonly writtenIds = new Set<string>()
  private readonly lookups: Array<Promise<void>> = []
  private readonly offCommit: () => void
  private closing: Promise<void> | null = null

  constructor(private readonly setup: DeviceSetup) {
    this.repository = new AggregateRepository(setup.store)
    this.net = new DeviceNetwork(setup.connection, setup.headers)
    this.current = this.makeEngine()
    this.offCommit = setup.store.onCommit((events) => {
      // The server sets recordedAt on every event it stores: one without it was written here.
      const own = events.filter((event) => !('recordedAt' in event.metadata)).map((event) => event.eventId)
      if (own.length > 0) this.lookups.push(this.noteWritten(own))
    })
  }

  /** `user/device`, as every message of the kit names it. */
  get name(): string {
    return this.setup.name
  }

  get userName(): string {
    return this.setup.userName
  }

  get store(): EventStore {
    return this.setup.store
  }

  /** Its sync engine (a new one after `reload`). */
  get engine(): SyncEngine {
    return this.current
  }

  get closed(): boolean {
    return this.closing !== null
  }

  /** `offline`: every request fails before it reaches the server, as a real fetch fails. */
  get network(): 'online' | 'offline' {
    return this.net.state
  }

  set network(state: 'online' | 'offline') {
    this.net.state = state
  }

  goOffline(): void {
    this.net.state = 'offline'
  }

  goOnline(): void {
    this.net.state = 'online'
  }

  /** Its requests, in order, as `POST /api/sync/push → 200`, `… (offline)`, `… (answer lost)`. */
  get requests(): readonly string[] {
    return this.net.requests
  }

  /** How many answers were lost on the way back. */
  get lostAnswers(): number {
    return this.net.lostAnswers
  }

  /** The next request of this kind (`push` by default) reaches the server, and its answer is lost. Each call loses one more. */
  loseNextAnswer(of: AnswerKind = 'push'): void {
    this.net.loseNextAnswer(of)
  }

  /** Answers still to be lost. */
  get answersToLose(): number {
    return this.net.answersToLose
  }

  /** @internal A network that loses nothing more (settling). */
  keepAnswers(): void {
    this.net.keepAnswers()
  }

  /** @internal The last answer asked to be lost will not be after all. */
  keepLastAnswer(): void {
    this.net.keepLastAnswer()
  }

  /** One sync cycle (after the one running, if any); resolves when it is over. Failures are in `engine.status`, as a real device's. */
  sync(): Promise<void> {
    const run = this.current.sync()
    this.inFlight = run
    return run
  }

  /**
   * The tab that synced closes and another takes over: once the running cycle is over, a new
   * engine on the same store picks up from what the old one kept in sync's tables.
   */
  async reload(): Promise<void> {
    this.current.stop()
    await this.inFlight
    this.current = this.makeEngine()
  }

  /** The ids of the events this device wrote itself into synced streams (kept though sync may have taken them out since). */
  async written(): Promise<ReadonlySet<string>> {
    while (this.lookups.length > 0) await Promise.all(this.lookups.splice(0))
    return new Set(this.writtenIds)
  }

  /** Every report it keeps of an event the server did not take: `dropped` by a rebase, or `rejected`. */
  reports(): Promise<SyncReport[]> {
    return this.store.db.table<SyncReport, number>(SYNC_REPORTS).toArray()
  }

  /** Its synced streams (by name), each event at its stream position; a stream whose version says otherwise is named in the error. */
  async streams(): Promise<Map<string, PlacedEvent[]>> {
    const placed = new Map<string, PlacedEvent[]>()
    let after: string | undefined
    for (;;) {
      const page = await listStreams(this.store, { limit: 500, ...(after === undefined ? {} : { after }) })
      for (const { stream, version } of page) {
        if (!this.setup.definition.syncs(stream)) continue
        const events = await this.store.read.stream(stream).toArray()
        if (events.length !== version + 1) throw new Error(`${this.name}: ${stream} is at version ${version} but holds ${events.length} event(s).`)
        placed.set(stream, events.map(({ eventId, type, data }, position) => ({ position, eventId, type, data })))
      }
      if (page.length < 500) return placed
      after = (page.at(-1) as { stream: string }).stream
    }
  }

  /** Stops its engine and closes its store (the world deletes the databases it made). */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.current.stop()
      await this.inFlight
      await this.written()
      this.offCommit()
      await this.setup.release()
    })()
    return this.closing
  }

  private makeEngine(): SyncEngine {
    const { store, definition, connection, engine, onChanged } = this.setup
    return new SyncEngine({
      ...engine,
      store,
      definition,
      transport: httpTransport({ baseUrl: connection.url(''), fetch: this.net.fetch }),
      online: () => this.network === 'online',
      onChanged: (change) => {
        if (change.rewritten) this.rewrites++
        return onChanged?.(this, change)
      },
    })
  }

  private async noteWritten(ids: readonly string[]): Promise<void> {
    const { store, definition } = this.setup
    let found: Map<string, string[]> | undefined
    try {
      found = await store.streamsOfEach(ids)
    } catch {
      found = undefined
    }
    for (const id of ids) {
      // In no stream any more: sync took it out meanwhile, so it was in a synced one.
      const streams = found?.get(id) ?? []
      if (streams.length === 0 || streams.some((stream) => definition.syncs(stream))) this.writtenIds.add(id)
    }
  }
}
