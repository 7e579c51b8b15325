// A page's view of sync: the leading worker's status, heard on the database's sync channel, made
// honest about this tab's own latest commits (which the engine may not have seen yet), so the
// page never says "synced" while a change of its own waits.
import { firstMatching, type EventStore } from '../eventstore'
import { initialSyncStatus, syncChannelName, type SyncMessage, type SyncStatus } from './status'

export interface SyncView {
  status: SyncStatus
  /** Changes waiting: the engine's count, at least 1 while a commit of this tab is newer than what it has looked at. */
  waiting: number
  /** Whether the browser says it is online. */
  online: boolean
  /** What to say, in one word: see `syncStateOf`. */
  state: SyncState
}

export type SyncState = 'connecting' | 'synced' | 'waiting' | 'offline' | 'problem' | 'signed-out'

/** One word for the state: offline (the browser is), signed out (the session ended), a problem, changes waiting, or synced. */
export function syncStateOf(status: SyncStatus, waiting: number, online: boolean): SyncState {
  if (!online || status.connection === 'offline') return 'offline'
  if (status.connection === 'signed-out') return 'signed-out'
  if (status.problem !== null) return 'problem'
  if (waiting > 0) return 'waiting'
  if (status.engine === null || status.connection === 'connecting') return 'connecting'
  // Reachable or not, nothing waits and what the server last said is here.
  return status.connection === 'online' && status.cursor >= status.head ? 'synced' : 'connecting'
}

export interface SyncClientOptions {
  /** Which streams sync (the engine's config): this tab's commits to others never wait. */
  syncs: (stream: string) => boolean
  /** Defaults to `navigator.onLine` and the window's online/offline events. */
  online?: { get(): boolean; subscribe(listener: () => void): () => void }
  /** Defaults to `new BroadcastChannel(syncChannelName(store.name))`. */
  channel?: BroadcastChannel
}

export class SyncClient {
  private view: SyncView
  private readonly listeners = new Set<(view: SyncView) => void>()
  private readonly changeListeners = new Set<(change: Extract<SyncMessage, { type: 'sync-changed' }>) => void>()
  private readonly channel: BroadcastChannel
  private readonly stops: Array<() => void> = []
  /** The log position of the latest commit to a synced stream by this tab (or another tab that said so). */
  private ownLatest = 0
  private stopped = false

  constructor(
    store: EventStore,
    private readonly options: SyncClientOptions,
  ) {
    const online = options.online ?? browserOnline()
    this.view = { status: initialSyncStatus, waiting: 0, online: online.get(), state: 'connecting' }
    this.channel = options.channel ?? new BroadcastChannel(syncChannelName(store.name))
    this.channel.onmessage = (event: MessageEvent<SyncMessage>) => this.onMessage(event.data)
    this.stops.push(
      store.onCommit((events) => {
        const last = events.at(-1)
        if (!last) return
        // Waiting at once (the streams are read after): a change that syncs never shows as synced.
        const before = this.ownLatest
        this.ownLatest = Math.max(before, last.globalPosition)
        this.refresh({})
        void store.streamsOfEach(events.map((event) => event.eventId)).then((streams) => {
          if ([...streams.values()].flat().some((stream) => options.syncs(stream))) return this.send({ type: 'sync-now', committed: last.globalPosition })
          if (this.ownLatest === last.globalPosition) this.ownLatest = before
          this.refresh({})
        }, () => this.send({ type: 'sync-now' }))
      }),
      online.subscribe(() => {
        this.refresh({ online: online.get() })
        if (online.get()) this.send({ type: 'sync-now' })
      }),
      store.onClose(() => this.stop()),
    )
    this.send({ type: 'sync-status-request' })
  }

  getSnapshot = (): SyncView => this.view

  subscribe = (listener: (view: SyncView) => void): (() => void) => {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Resolves with the first view (now or later) that satisfies the predicate. */
  waitFor(predicate: (view: SyncView) => boolean): Promise<SyncView> {
    return firstMatching(this, predicate)
  }

  /** Called when the engine wrote to the log (pulled events, or a rebase that rewrote streams). */
  onChanged(listener: (change: Extract<SyncMessage, { type: 'sync-changed' }>) => void): () => void {
    this.changeListeners.add(listener)
    return () => this.changeListeners.delete(listener)
  }

  /** Asks the engine to push and pull now. */
  syncNow(): void {
    this.send({ type: 'sync-now' })
  }

  stop(): void {
    if (this.stopped) return
    this.stopped = true
    for (const stop of this.stops.splice(0)) stop()
    this.channel.close()
  }

  private onMessage(message: SyncMessage): void {
    if (message.type === 'sync-status') this.refresh({ status: message.status })
    else if (message.type === 'sync-now' && message.committed !== undefined && message.committed > this.ownLatest) {
      // Another tab's change waits too: until the engine has looked past it, this tab says so as well.
      this.ownLatest = message.committed
      this.refresh({})
    }
    else if (message.type === 'sync-changed') for (const listener of this.changeListeners) listener(message)
  }

  private refresh(patch: Partial<Pick<SyncView, 'status' | 'online'>>): void {
    const status = patch.status ?? this.view.status
    const online = patch.online ?? this.view.online
    const unseen = this.ownLatest > status.scanned ? 1 : 0
    const waiting = Math.max(status.pending, unseen)
    this.view = { status, online, waiting, state: syncStateOf(status, waiting, online) }
    for (const listener of this.listeners) listener(this.view)
  }

  private send(message: SyncMessage): void {
    if (!this.stopped) this.channel.postMessage(message)
  }
}

function browserOnline() {
  const nav = globalThis.navigator as Navigator | undefined
  return {
    get: () => nav?.onLine ?? true,
    subscribe: (listener: () => void) => {
      if (typeof window === 'undefined') return () => undefined
      window.addEventListener('online', listener)
      window.addEventListener('offline', listener)
      return () => {
        window.removeEventListener('online', listener)
        window.removeEventListener('offline', listener)
      }
    },
  }
}
