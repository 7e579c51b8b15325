import type { EventStore } from '../client'
import { ProjectionRunner, type ProjectionDefinition, type ProjectionRunnerOptions } from '../projections'
import { channelName, lockName, plainError, type ChannelMessage, type PageMessage, type WorkerMessage } from './protocol'

/** The parts of BroadcastChannel the host uses. */
export interface Channel {
  postMessage(message: ChannelMessage): void
  addEventListener(type: 'message', listener: (event: { data: ChannelMessage }) => void): void
  close(): void
}

/** The part of the Web Locks API the host uses: callback runs while the lock is held. */
export interface Locks {
  request(name: string, callback: () => Promise<void>): Promise<unknown>
}

/** What a leading worker's `onLead` hook gets: the store and the means to tell the tabs. */
export interface LeadContext {
  store: EventStore
  database: string
  /** What the page gave ProjectionWorkerClient as `workerOptions` (structured-cloned). */
  options: unknown
  /** Rebuilds every deferred projection from the start of the log: after the log's history changed (a stream cut back). */
  rebuildProjections(): Promise<void>
  /**
   * Tells every tab that this worker committed events up to `position`. The worker's store already
   * announces each of its commits on the channel (the store's change feed), so this is only for
   * news a store cannot see.
   */
  announceCommitted(position: number): void
}

/** Work that runs only in the leading worker (e.g. sync), from when it leads to when it stops; returns its stop. */
export type LeadHook = (context: LeadContext) => void | (() => void) | Promise<void | (() => void)>

export interface HostOptions {
  openStore(database: string): Promise<EventStore>
  projections: readonly ProjectionDefinition[]
  locks: Locks
  openChannel(name: string): Channel
  /** To this worker's own page. */
  post(message: WorkerMessage): void
  runner?: ProjectionRunnerOptions
  onLead?: LeadHook
  id?: string
}

/**
 * The projection worker's logic, free of `self`: every tab starts one; the one holding the
 * database's Web Lock leads and runs the deferred projections, the others wait to take over.
 * Commits, rebuild and retry requests arrive on the database's BroadcastChannel from any tab.
 *
 * It lives as long as its store: when the store closes for any reason (stop, another tab opening
 * a newer schema, the browser dropping the connection), the runner stops, the lock is released
 * so another tab's worker can lead, and the channel closes.
 */
export class ProjectionHost {
  readonly id: string
  private store: EventStore | null = null
  private channel: Channel | null = null
  private runner: ProjectionRunner | null = null
  private release: (() => void) | null = null
  private offClose: (() => void) | null = null
  private stopLead: (() => void) | null = null
  private startOptions: unknown = undefined
  private stopped = false

  constructor(private readonly options: HostOptions) {
    this.id = options.id ?? crypto.randomUUID()
  }

  get isLeader(): boolean {
    return this.runner !== null
  }

  async handle(message: PageMessage): Promise<void> {
    try {
      if (message.type === 'start') {
        this.startOptions = message.options
        await this.start(message.database)
      }
      else this.stop()
    } catch (error) {
      this.options.post({ type: 'failed', error: plainError(error) })
    }
  }

  /** Ends this host for good: the runner stops, the lock (if held) is released, channel and store close. */
  stop(): void {
    if (this.stopped) return
    this.stopped = true
    const led = this.runner !== null
    this.offClose?.()
    this.stopLead?.()
    this.stopLead = null
    this.runner?.stop()
    this.runner = null
    this.release?.()
    this.channel?.close()
    this.store?.close()
    if (led) this.options.post({ type: 'role', leader: false, id: this.id })
  }

  private async start(database: string): Promise<void> {
    if (this.store || this.stopped) return
    const store = await this.options.openStore(database)
    if (this.stopped) return store.close()
    this.store = store
    const channel = this.options.openChannel(channelName(database))
    this.channel = channel
    channel.addEventListener('message', ({ data }) => void this.onChannel(data))
    this.options.post({ type: 'role', leader: false, id: this.id })
    // One lifecycle: whatever closes the store ends this host (at once if it is closed already).
    this.offClose = store.onClose(() => this.stop())
    if (this.stopped) return
    // Resolves when the lock is granted and held; the lock is released when this worker ends.
    void this.options.locks
      .request(lockName(database), () => this.lead(store, channel))
      .catch((error: unknown) => this.options.post({ type: 'failed', error: plainError(error) }))
  }

  private async lead(store: EventStore, channel: Channel): Promise<void> {
    if (this.stopped) return
    // Resolved by stop(): returning from this callback is what releases the lock.
    const held = new Promise<void>((resolve) => (this.release = resolve))
    const runner = new ProjectionRunner(store, this.options.projections, {
      ...this.options.runner,
      onStatus: (projections) => {
        this.options.runner?.onStatus?.(projections)
        if (!this.stopped) channel.postMessage({ type: 'status', leader: this.id, projections })
      },
    })
    this.runner = runner
    this.options.post({ type: 'role', leader: true, id: this.id })
    // Catch up with whatever was committed while no tab led, then follow this store's commits
    // (the runner's own) and the other tabs' (announced on the channel).
    try {
      await runner.start()
    } catch (error) {
      // It cannot lead: it says so, and returning (by throwing) releases the lock for another tab.
      runner.stop()
      if (this.runner === runner) this.runner = null
      this.release = null
      if (!this.stopped) this.options.post({ type: 'role', leader: false, id: this.id })
      throw error
    }
    await this.startLead(store, channel, runner)
    await held
  }

  private async startLead(store: EventStore, channel: Channel, runner: ProjectionRunner): Promise<void> {
    const hook = this.options.onLead
    if (!hook || this.stopped) return
    try {
      const stop = await hook({
        store,
        database: store.name,
        options: this.startOptions,
        rebuildProjections: async () => {
          await Promise.all(runner.status().map((projection) => runner.rebuild(projection.name)))
        },
        announceCommitted: (position) => {
          if (!this.stopped) channel.postMessage({ type: 'committed', position, origin: this.id })
        },
      })
      if (typeof stop !== 'function') return
      if (this.stopped) stop()
      else this.stopLead = stop
    } catch (error) {
      this.options.post({ type: 'failed', error: plainError(error) })
    }
  }

  private async onChannel(message: ChannelMessage): Promise<void> {
    const runner = this.runner
    if (!runner || this.stopped) return
    try {
      switch (message.type) {
        case 'committed':
          // The runner hears every change through its store (stores announce their commits on this
          // channel); this is the same notice again, or a lead hook's announcement: usually applied already.
          if (runner.status().every((projection) => projection.checkpoint >= message.position)) return
          return await runner.notify()
        case 'rebuild':
          return await runner.rebuild(message.projection)
        case 'retry':
          return await runner.retry(message.projection)
        case 'status-request':
          return this.channel?.postMessage({ type: 'status', leader: this.id, projections: runner.status() })
      }
    } catch (error) {
      this.options.post({ type: 'failed', error: plainError(error) })
    }
  }
}
