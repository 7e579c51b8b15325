// Every change to one database's log, whatever wrote it: this connection's commits, heard as they
// commit, and every other connection's (another tab, a worker, a second openEventStore), heard on
// the database's BroadcastChannel, where each connection announces its own.
import type { RecordedEvent } from '../events'

/** One change to the log, as `store.onChange` reports it. */
export interface LogChange {
  /** `'here'`: committed through this store. `'elsewhere'`: through another connection to its database (another tab, a worker). */
  readonly origin: 'here' | 'elsewhere'
  /** The global position of the change's last event (0 for a change that added none: a rewrite). */
  readonly position: number
  /** The committed events, for a change made here; empty for one made elsewhere (read them, or use `store.follow`). */
  readonly events: readonly RecordedEvent[]
  /**
   * Events were taken out of the log (`truncateStream`, as sync's rebase does): state built from
   * earlier events may hold some that are gone.
   */
  readonly rewritten: boolean
}

export type ChangeListener = (change: LogChange) => void

/** What a connection announces on the database's channel after each change it committed. */
export interface CommitNotice {
  type: 'committed'
  position: number
  /** The announcing connection, so it can tell its own notices from others'. */
  origin: string
  rewritten?: boolean
}

/** The parts of a BroadcastChannel the store uses. */
export interface StoreChannel {
  postMessage(message: CommitNotice): void
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void
  close(): void
}

/** The channel every connection to `database` shares (the projection worker's messages travel on it too). */
export const channelName = (database: string): string => `kiroku:${database}`

/** The default: a BroadcastChannel where the platform has one (every browser context, Node ≥ 18), else none. */
export function defaultChannel(name: string): StoreChannel | null {
  const Channel = (globalThis as { BroadcastChannel?: new (name: string) => StoreChannel & { unref?: () => void } }).BroadcastChannel
  if (!Channel) return null
  const channel = new Channel(name)
  // Node: a channel that listens must not keep the process alive by itself.
  channel.unref?.()
  return channel
}

export class ChangeFeed {
  /** This connection, in its notices. */
  readonly origin: string = globalThis.crypto?.randomUUID?.() ?? `${Date.now()}-${Math.random()}`
  private readonly listeners = new Set<ChangeListener>()
  private closed = false

  constructor(
    private readonly channel: StoreChannel | null,
    private readonly onError: (error: unknown) => void,
  ) {
    channel?.addEventListener('message', ({ data }) => this.heard(data))
  }

  get broadcasts(): boolean {
    return this.channel !== null
  }

  listen(listener: ChangeListener): () => void {
    this.listeners.add(listener)
    return () => void this.listeners.delete(listener)
  }

  /** This connection committed `events` (and took events out of the log, when `rewritten`). */
  committed(events: readonly RecordedEvent[], rewritten: boolean): void {
    if (this.closed) return
    const position = events.at(-1)?.globalPosition ?? 0
    try {
      this.channel?.postMessage({ type: 'committed', position, origin: this.origin, ...(rewritten ? { rewritten } : {}) })
    } catch (error) {
      // Telling the others failed; the commit stands, and this connection's listeners still hear it.
      this.onError(error)
    }
    this.emit({ origin: 'here', position, events, rewritten })
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    this.listeners.clear()
    this.channel?.close()
  }

  private heard(data: unknown): void {
    if (this.closed || !isNotice(data) || data.origin === this.origin) return
    this.emit({ origin: 'elsewhere', position: data.position, events: [], rewritten: data.rewritten === true })
  }

  private emit(change: LogChange): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(change)
      } catch (error) {
        // A listener's bug must not turn a committed append into a failed one.
        this.onError(error)
      }
    }
  }
}

/** Only 'committed' messages say the log changed; the channel carries the projection worker's other messages too. */
function isNotice(data: unknown): data is CommitNotice {
  const notice = data as Partial<CommitNotice> | null
  return typeof notice === 'object' && notice !== null && notice.type === 'committed' && typeof notice.position === 'number'
}
