import type { EventStore } from '../client'
import type { ProjectionStatus } from '../projections'
import { firstMatching } from './firstMatching'
import { channelName, type ChannelMessage, type PlainError, type WorkerMessage } from './protocol'

export interface ProjectionsView {
  /** Whether this tab's worker is the one running the projections. */
  leadsHere: boolean
  /** The leading worker's id, once one has reported. */
  leader: string | null
  projections: ProjectionStatus[]
  /** The last failure this tab's worker reported. */
  error: PlainError | null
}

export interface ClientOptions {
  /**
   * Starts this tab's worker: the app's own entry, which lists its projections and hands messages
   * to a ProjectionHost. Write it as `() => new Worker(new URL('./my.worker.ts', import.meta.url),
   * { type: 'module' })` so the bundler finds the entry.
   */
  createWorker: () => Worker
  /** Handed to the worker's `onLead` hook when it leads (structured-cloned): e.g. sync's settings. */
  workerOptions?: unknown
}

/**
 * The page's side of the projection worker: starts this tab's worker, sends the leader (in any
 * tab) rebuild and retry requests, and keeps the latest status for the UI and the devtools. The
 * leader hears this tab's commits from the store itself, which announces them on the database's
 * channel (so a store opened with `channel: false` is not followed by the worker). It
 * lives as long as the page's store: when that closes (the page closed it, or another tab opened
 * a newer schema), the worker is terminated, which releases the lead if this tab had it.
 */
export class ProjectionWorkerClient {
  /** This tab's id. */
  readonly tabId = crypto.randomUUID()
  private worker: Worker | null = null
  private readonly channel: BroadcastChannel
  private view: ProjectionsView = { leadsHere: false, leader: null, projections: [], error: null }
  private readonly listeners = new Set<(view: ProjectionsView) => void>()
  private readonly remoteCommitListeners = new Set<(position: number) => void>()
  private workerId: string | null = null
  private readonly offCommit: () => void
  private readonly offClose: (() => void) | undefined
  private stopped = false

  constructor(
    private readonly store: EventStore,
    private readonly options: ClientOptions,
  ) {
    this.channel = new BroadcastChannel(channelName(store.name))
    this.channel.onmessage = (event: MessageEvent<ChannelMessage>) => this.onChannel(event.data)
    // The store announces this tab's commits on the channel itself (its change feed), and hears
    // every other connection's there: the worker's (sync's pulls) as much as other tabs'.
    this.offCommit = store.onChange((change) => {
      if (change.origin !== 'elsewhere') return
      for (const listener of [...this.remoteCommitListeners]) listener(change.position)
    })
    // Last: a store closed already stops a client that is complete.
    this.offClose = store.onClose(() => this.stop())
  }

  start(): this {
    if (this.worker || this.stopped) return this
    const worker = this.options.createWorker()
    worker.onmessage = (event: MessageEvent<WorkerMessage>) => this.onWorker(event.data)
    worker.onerror = (event) => this.update({ error: { name: 'WorkerError', message: event.message || 'The projection worker failed to start.' } })
    worker.postMessage({ type: 'start', database: this.store.name, options: this.options.workerOptions })
    this.worker = worker
    this.send({ type: 'status-request' })
    return this
  }

  getSnapshot = (): ProjectionsView => this.view

  subscribe = (listener: (view: ProjectionsView) => void): (() => void) => {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Resolves with the first view (now or later) that satisfies the predicate. */
  waitFor(predicate: (view: ProjectionsView) => boolean): Promise<ProjectionsView> {
    return firstMatching(this, predicate)
  }

  /**
   * Called when another connection to the database committed: another tab, or a worker (sync's
   * pulls), with the log position it reached; possibly more than once for one commit. It is
   * `store.onChange` for changes made elsewhere: `store.onChange` and `store.follow` hear every
   * change, this tab's too.
   */
  onRemoteCommit(listener: (position: number) => void): () => void {
    this.remoteCommitListeners.add(listener)
    return () => this.remoteCommitListeners.delete(listener)
  }

  rebuild(projection: string): void {
    this.send({ type: 'rebuild', projection })
  }

  retry(projection: string): void {
    this.send({ type: 'retry', projection })
  }

  /** Ends this tab's worker (releasing the lead, if it had it) and stops listening; for good. */
  stop(): void {
    if (this.stopped) return
    this.stopped = true
    this.offCommit()
    this.offClose?.()
    this.worker?.terminate()
    this.worker = null
    this.channel.close()
    if (this.view.leadsHere) this.update({ leadsHere: false })
  }

  private send(message: ChannelMessage): void {
    if (!this.stopped) this.channel.postMessage(message)
  }

  private onWorker(message: WorkerMessage): void {
    if (message.type === 'role') {
      this.workerId = message.id
      this.update({ leadsHere: message.leader, ...(message.leader ? { leader: message.id } : {}) })
    } else {
      this.update({ error: message.error })
    }
  }

  private onChannel(message: ChannelMessage): void {
    if (message.type !== 'status') return
    this.update({ leader: message.leader, leadsHere: message.leader === this.workerId, projections: message.projections })
  }

  private update(patch: Partial<ProjectionsView>): void {
    this.view = { ...this.view, ...patch }
    for (const listener of this.listeners) listener(this.view)
  }
}
