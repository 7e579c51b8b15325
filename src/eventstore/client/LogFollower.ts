// `store.follow`: the events of every change to the log, once each and in global order, from a
// position. It keeps the position up to which it has delivered the log; a change that starts right
// after it (this store's own commit, usually) is delivered at once, in the same frame as the
// commit; anything else (another connection's commit, a gap) is read from the log after it.
import Dexie from 'dexie'
import { StoreClosedError } from '../errors'
import { typeOf, type EventTypeRef, type RecordedEvent } from '../events'
import type { LogChange } from './ChangeFeed'
import type { EventStore } from './EventStore'

export interface FollowOptions<R extends EventTypeRef = EventTypeRef> {
  /**
   * Deliver the events after this global position: 0 for the whole log. Left out: the log's end
   * when `follow` is called, so only what is committed from then on.
   */
  after?: number
  /** Only events of these types (definitions or type names); the others are passed over. */
  to?: readonly R[]
  /** Events read per read transaction while catching up. Default 500. */
  batchSize?: number
  /**
   * Events were taken out of the log (`truncateStream`, here or in another connection: sync's
   * rebase): what the listener built may hold some that are gone. Rebuild it, e.g. stop this
   * follower and follow again from 0. Called before the change's own events are delivered.
   */
  onRewritten?: () => void
}

/** A running `store.follow`. */
export interface LogFollower {
  /**
   * Resolves once every event up to the log's end (as it was when `follow` was called) has been
   * delivered; rejects if reading the log failed (the follower is then stopped).
   */
  readonly caughtUp: Promise<void>
  /** Every event of the log up to this global position has been delivered (or passed over); -1 before the first read. */
  readonly position: number
  /** Stops for good; the store closing does the same. */
  stop(): void
}

export class Follower implements LogFollower {
  readonly caughtUp: Promise<void>
  position = -1
  private readonly types: ReadonlySet<string> | null
  private readonly batchSize: number
  private running: Promise<void> | null = null
  private again = false
  private stopped = false
  private offChange: () => void = () => undefined
  private offClose: () => void = () => undefined

  constructor(
    /** The root store: its reads never join a caller's transaction. */
    private readonly store: EventStore,
    private readonly listener: (events: RecordedEvent[]) => void,
    private readonly options: FollowOptions,
    private readonly onError: (error: unknown) => void,
  ) {
    this.types = options.to ? new Set(options.to.map(typeOf)) : null
    this.batchSize = options.batchSize ?? 500
    if (store.isClosed) {
      this.stopped = true
      this.caughtUp = Promise.reject(new StoreClosedError())
    } else {
      this.offChange = store.onChange((change) => this.heard(change))
      this.offClose = store.onClose(() => this.stop())
      if (options.after !== undefined) this.position = Math.max(0, options.after)
      // Its reads are its own, never part of a transaction `follow` was called in.
      this.caughtUp = Dexie.ignoreTransaction(() => this.kick())
    }
    // Failures are reported through `caughtUp`; nobody need await it to avoid an unhandled rejection.
    this.caughtUp.catch(() => undefined)
  }

  stop(): void {
    if (this.stopped) return
    this.stopped = true
    this.offChange()
    this.offClose()
  }

  private heard(change: LogChange): void {
    if (this.stopped) return
    if (change.rewritten) this.options.onRewritten?.()
    if (this.stopped) return
    const first = change.events[0]
    if (!this.running && first && first.globalPosition === this.position + 1) {
      // Nothing lies between what was delivered and this commit: it goes out now, in its frame.
      this.position = (change.events.at(-1) as RecordedEvent).globalPosition
      const events = this.types ? change.events.filter((event) => this.types!.has(event.type)) : [...change.events]
      if (events.length) this.deliver(events)
      return
    }
    if (this.running || change.position > this.position) void this.kick().catch((error: unknown) => this.failed(error))
  }

  /** Reads the log after the position; a change heard meanwhile costs one more read, not one each. */
  private kick(): Promise<void> {
    if (this.running) {
      this.again = true
      return this.running
    }
    this.running = (async () => {
      try {
        do {
          this.again = false
          await this.catchUp()
        } while (this.again && !this.stopped)
      } catch (error) {
        this.stop()
        throw error
      }
    })().finally(() => {
      this.running = null
    })
    return this.running
  }

  private async catchUp(): Promise<void> {
    // Everything at or before the log's end now is committed: a typed read that finds nothing
    // more of its types has still passed over every other event up to here.
    const head = (await this.store.read.last())?.globalPosition ?? 0
    if (this.position < 0) this.position = head
    const query = this.types ? this.store.read.ofType([...this.types]) : this.store.read
    while (!this.stopped) {
      const batch = await query.after(this.position).limit(this.batchSize).toArray()
      if (this.stopped || batch.length === 0) break
      this.position = (batch.at(-1) as RecordedEvent).globalPosition
      this.deliver(batch)
    }
    this.position = Math.max(this.position, head)
  }

  private deliver(events: RecordedEvent[]): void {
    try {
      this.listener(events)
    } catch (error) {
      // The follower goes on: the listener's bug is reported, as a commit listener's is.
      this.onError(error)
    }
  }

  private failed(error: unknown): void {
    // A closed store ends its followers; that is no failure.
    if (!(error instanceof StoreClosedError)) this.onError(error)
  }
}
