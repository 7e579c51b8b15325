// The state behind useStreamVersion, without React: one stream's version, read again after every
// change to the log (the store's onChange: this store's commits, other tabs', a worker's) and
// whenever an extra change source says so.
import { StoreClosedError, type EventStore } from '../eventstore'

/** Something that says "the log may have changed", beyond what the store hears itself (`store.onChange`). */
export interface ChangeSource {
  subscribe(listener: () => void): () => void
}

export interface StreamVersionState {
  /** The stream's version (-1 when empty); undefined until the first read ends. */
  version: number | undefined
  /** Why the last read failed, if it did. */
  error: unknown
}

const UNREAD: StreamVersionState = { version: undefined, error: undefined }

export class StreamVersion {
  private state = UNREAD
  private readonly listeners = new Set<() => void>()
  private stop: (() => void) | null = null
  /** The number of the latest read: an earlier one that ends later is stale. */
  private latest = 0

  constructor(
    private readonly store: EventStore,
    readonly stream: string,
  ) {}

  getState = (): StreamVersionState => this.state

  /** Follows every change to the log while anyone listens. */
  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener)
    if (!this.stop) {
      // A change does not say which streams it touched (another connection's says nothing but its
      // position), so every change reads again: one step of a key cursor, and an unchanged version
      // notifies nobody.
      this.stop = this.store.onChange(() => this.refresh())
      this.refresh()
    }
    return () => {
      this.listeners.delete(listener)
      if (this.listeners.size === 0 && this.stop) {
        this.stop()
        this.stop = null
      }
    }
  }

  /** Reads the version again; the latest read's answer wins. */
  refresh = (): void => {
    const id = ++this.latest
    this.store.streamVersion(this.stream).then(
      (version) => id === this.latest && this.set({ version, error: undefined }),
      // A closed store changes no more: keep the last version (the app hears of the close itself).
      (error: unknown) => id === this.latest && !(error instanceof StoreClosedError) && this.set({ version: this.state.version, error }),
    )
  }

  private set(next: StreamVersionState): void {
    if (Object.is(next.version, this.state.version) && Object.is(next.error, this.state.error)) return
    this.state = next
    for (const listener of [...this.listeners]) listener()
  }
}
