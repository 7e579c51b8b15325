// Fair turns at the database between accounts. Every statement and transaction sent through the Db
// port waits here for a slot (PGlite runs one statement at a time: one slot; a pool: as many as
// its connections). When a slot frees, the account that has used the database least lately goes
// next: its time in the database, halved every `halfLifeMs`. So an account that keeps the database
// busy (pulling a large history with requests in parallel, say) never makes another account's
// statement wait behind more than the statements already running, and it still has the whole
// database when nobody else needs it. No account runs more than `perAccount` at once, so it
// cannot take every slot of a pool (and every core) either.
//
// Whose work a statement is comes from `asAccount` (the HTTP layer wraps an account's push and
// pull in it, server/http/limits.ts); anything else (sign-in, projections, pruning, tests calling
// the use cases) is "no account": it takes turns by its own use, and no per-account cap.
import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks'

const whose = new AsyncLocalStorage<string>()
/** The gate whose slot the current async context holds: what it sends goes straight through. */
const holding = new AsyncLocalStorage<FairGate>()

/** Runs `fn` with every database statement it sends counted as `account`'s. */
export const asAccount = <T>(account: string, fn: () => T): T => whose.run(account, fn)

/** The account the caller works for, or '' (no account). */
export const currentAccount = (): string => whose.getStore() ?? ''

export interface FairGateOptions {
  /** Statements or transactions running at once (PGlite 1; a pool its size). */
  slots: number
  /** Statements or transactions of one account running at once (default 1; '' has no cap beyond `slots`). */
  perAccount?: number
  /** How fast an account's past use is forgotten: halved every this many ms (default 1000). */
  halfLifeMs?: number
  /** The clock, in ms (default performance.now). */
  now?: () => number
  /**
   * Runs the next turn's choice a little later (default setImmediate): after the statement that
   * just ended, the request it belongs to sends its next one within microtasks, and new requests
   * are read from their sockets; both take part in the choice. Only when someone waits.
   */
  defer?: (fn: () => void) => void
}

interface Waiting {
  start: () => void
  /** In arrival order, across accounts: the tie-break. */
  seq: number
}

interface Lane {
  waiting: Waiting[]
  running: number
  /** ms in the database, decayed to `at`. */
  used: number
  at: number
}

export const DEFAULT_HALF_LIFE_MS = 1_000
/** Accounts remembered without anything waiting or running before the idle ones are forgotten. */
const FORGET_PAST = 1_000

export class FairGate {
  readonly slots: number
  readonly perAccount: number
  private readonly halfLifeMs: number
  private readonly now: () => number
  private readonly defer: (fn: () => void) => void
  private readonly lanes = new Map<string, Lane>()
  private running = 0
  private seq = 0
  private choosing = false

  constructor({ slots, perAccount = 1, halfLifeMs = DEFAULT_HALF_LIFE_MS, now = () => performance.now(), defer = (fn) => void setImmediate(fn) }: FairGateOptions) {
    if (!(slots >= 1) || !(perAccount >= 1)) throw new RangeError('FairGate needs at least one slot, and at least one per account.')
    this.slots = slots
    this.perAccount = perAccount
    this.halfLifeMs = halfLifeMs
    this.now = now
    this.defer = defer
  }

  /** Runs `work` in its turn, as the current account's (see asAccount). */
  run<T>(work: () => Promise<T>): Promise<T> {
    // A statement sent from inside a transaction that holds a slot (through the Db rather than
    // its `tx`) would wait for that very slot: it runs as it did without a gate.
    if (holding.getStore() === this) return work()
    const account = currentAccount()
    const lane = this.lane(account)
    return new Promise<T>((resolve, reject) => {
      // Started later from another statement's end: it runs in its own caller's async context.
      const start = AsyncResource.bind(() => {
        lane.running++
        this.running++
        const began = this.now()
        let result: Promise<T>
        try {
          result = holding.run(this, work)
        } catch (error) {
          result = Promise.reject(error)
        }
        result.then(resolve, reject).finally(() => this.ended(lane, this.now() - began))
      })
      lane.waiting.push({ start, seq: this.seq++ })
      // Someone else waits: its choice is on its way. Otherwise a free slot is taken at once.
      if (!this.choosing) this.choose()
    })
  }

  /** Waiting statements per account (for tests and diagnostics). */
  waiting(account: string): number {
    return this.lanes.get(account)?.waiting.length ?? 0
  }

  /** An account's use as the choice sees it now, in ms. */
  used(account: string): number {
    const lane = this.lanes.get(account)
    return lane === undefined ? 0 : this.decayed(lane)
  }

  private lane(account: string): Lane {
    let lane = this.lanes.get(account)
    if (lane === undefined) {
      if (this.lanes.size >= FORGET_PAST) this.forgetIdle()
      lane = { waiting: [], running: 0, used: 0, at: this.now() }
      this.lanes.set(account, lane)
    }
    return lane
  }

  private decayed(lane: Lane): number {
    const now = this.now()
    lane.used *= 2 ** (-(now - lane.at) / this.halfLifeMs)
    lane.at = now
    return lane.used
  }

  private ended(lane: Lane, ms: number): void {
    this.decayed(lane)
    lane.used += ms
    lane.running--
    this.running--
    if (![...this.lanes.values()].some((other) => other.waiting.length > 0)) return
    if (this.choosing) return
    this.choosing = true
    this.defer(() => {
      this.choosing = false
      this.choose()
    })
  }

  /** Fills the free slots: each with the first waiting statement of the least-used account that may run one more. */
  private choose(): void {
    while (this.running < this.slots) {
      let best: { lane: Lane; used: number; seq: number } | undefined
      for (const [account, lane] of this.lanes) {
        const next = lane.waiting[0]
        if (next === undefined) continue
        if (account !== '' && lane.running >= this.perAccount) continue
        const used = this.decayed(lane)
        if (best === undefined || used < best.used || (used === best.used && next.seq < best.seq)) best = { lane, used, seq: next.seq }
      }
      if (best === undefined) return
      best.lane.waiting.shift()!.start()
    }
  }

  private forgetIdle(): void {
    for (const [account, lane] of this.lanes) if (lane.waiting.length === 0 && lane.running === 0) this.lanes.delete(account)
  }
}
