// Server-side subscriptions: read all users' events in commit order, never skipping one, and hand
// each batch to a handler inside the transaction that also moves the subscription's checkpoint.
//
// Commit order, not position order: a transaction can take global position 1, stay open while
// another takes 2 and commits, and commit later. Paging by global_position alone would pass 1 for
// good (the sequence-gap trap, RECIPES.md). So events are read by (transaction_id, global_position)
// and only from transactions older than every transaction still running
// (transaction_id < pg_snapshot_xmin(pg_current_snapshot())): those have all ended, so nothing can
// appear behind the checkpoint later (Emmett's approach).
//
// One event the handler cannot apply must not hold back every later one for ever: it is parked
// with its error, in the transaction that moves the checkpoint past it (parkedEvents.ts), and the
// later events of its stream are parked behind it, so that nothing of that stream is applied out
// of order; other streams go on. An error that blames no event (the database unavailable:
// failures.ts) parks nothing; the runner tries again later, backing off. So does a streak of parks
// with the same error code (a handler's own bug would park every event).
import type { Db } from '../db/Db'
import { HEAD_CHANNEL } from '../sync'
import { logSummary } from './failures'
import { applyOrPark, firstParkedOfStreams, ParkingHalted, type ParkedEvent, type ParkStreak } from './parkedEvents'
import { EVENT_COLUMNS, toStoredEvent, type EventRow, type Subscription } from './subscription'

export type { StoredEvent, Subscription } from './subscription'

export interface RunnerOptions {
  /** How often to look again without a NOTIFY (default 1000 ms): events of transactions that were
   * still running below the snapshot's xmin become readable later, and no NOTIFY says when. */
  pollMs?: number
  /** The longest wait between tries after a failure that parked nothing (default 30 s); the first
   * wait is `pollMs`, doubling after each failure. */
  maxRetryMs?: number
  /** Where the runner's one-line reports go (default console.error). They never hold event data. */
  log?: (line: string) => void
  /**
   * Failures in a row with the same error code (no event applied in between) that the runner
   * parks (default 20); on the next, it parks no more: that batch rolls back whole (so at most
   * this many are parked) and the runner backs off as for an unavailable database, with one log
   * line, until the batch applies (a fixed handler deployed). A handler's bug that fails every
   * event alike parks that many, not the whole read model.
   */
  maxSameErrorParks?: number
}

export interface Runner {
  /** Resolves once the runner has stopped (after the batch in hand, if any). */
  stop(): Promise<void>
}

export interface BatchResult {
  /** Events the checkpoint moved past: applied or parked. */
  read: number
  applied: number
  parked: ParkedEvent[]
}

export interface CatchUpOptions {
  isStopped?: () => boolean
  /** Called once per event parked, after its transaction committed (default: one line on console.error). */
  onParked?: (parked: ParkedEvent) => void
  /** The runner's streak of parks with one error code, carried across calls; omitted: no limit. */
  streak?: ParkStreak
}

export interface BatchOptions {
  /** Updated when the batch commits; a batch that would park past its limit throws ParkingHalted. */
  streak?: ParkStreak
}

/** The one log line for a parked event: where it is and the error's code, never its data or message. */
export function parkedLine(parked: ParkedEvent): string {
  if (parked.behind !== null) {
    return (
      `kiroku projection ${parked.subscription}: parked event ${parked.eventId} (${parked.type}, global position ${parked.globalPosition}) ` +
      `behind the parked event at global position ${parked.behind} of its stream; other streams go on. See it with: npm run projections -- list ${parked.subscription}`
    )
  }
  return (
    `kiroku projection ${parked.subscription}: parked event ${parked.eventId} (${parked.type}, global position ${parked.globalPosition}) ` +
    `on error ${parked.error.code}; later events go on. See it with: npm run projections -- list ${parked.subscription}`
  )
}

/**
 * Reads and applies one batch in one transaction, parking the events that fail on their own and
 * those of a stream with an earlier parked event.
 */
export async function processBatch(db: Db, subscription: Subscription, options: BatchOptions = {}): Promise<BatchResult> {
  const batchSize = subscription.batchSize ?? 100
  // The streak moves only with a batch that commits.
  const streak = options.streak === undefined ? undefined : { ...options.streak }
  const result = await db.transaction(async (tx) => {
    await tx.query('INSERT INTO subscription_checkpoints (name) VALUES ($1) ON CONFLICT (name) DO NOTHING', [subscription.name])
    // FOR UPDATE: two processes running the same subscription take turns, never apply a batch twice.
    // has_parked, in the same statement: without parked events a batch asks nothing more than before.
    const [checkpoint] = await tx.query<{ transaction_id: string; global_position: string | number; has_parked: boolean }>(
      `SELECT c.transaction_id::text AS transaction_id, c.global_position,
              EXISTS (SELECT 1 FROM parked_events p WHERE p.subscription = c.name) AS has_parked
       FROM subscription_checkpoints c WHERE c.name = $1 FOR UPDATE OF c`,
      [subscription.name],
    )
    const rows = await tx.query<EventRow>(
      `SELECT ${EVENT_COLUMNS}
       FROM events e
       WHERE (e.transaction_id, e.global_position) > ($1::xid8, $2::bigint)
         AND e.transaction_id < pg_snapshot_xmin(pg_current_snapshot())
       ORDER BY e.transaction_id, e.global_position
       LIMIT $3`,
      [checkpoint!.transaction_id, checkpoint!.global_position, batchSize],
    )
    if (rows.length === 0) return { read: 0, applied: 0, parked: [] }
    const events = rows.map(toStoredEvent)
    // Only with parked events: which of the batch's streams have any, in one query for the batch.
    const parkedStreams = checkpoint!.has_parked ? await firstParkedOfStreams(tx, subscription.name, events) : undefined
    const parked = await applyOrPark(tx, subscription, events, { parkedStreams, streak })
    const last = events[events.length - 1]!
    await tx.query('UPDATE subscription_checkpoints SET transaction_id = $2::xid8, global_position = $3, updated_at = now() WHERE name = $1', [
      subscription.name,
      last.transactionId,
      last.globalPosition,
    ])
    return { read: events.length, applied: events.length - parked.length, parked }
  })
  if (streak !== undefined) Object.assign(options.streak!, streak)
  return result
}

/** Applies batches until none is left that can be read safely; resolves with how many events it applied. */
export async function catchUp(db: Db, subscription: Subscription, options: CatchUpOptions = {}): Promise<number> {
  const { isStopped = () => false, onParked = (parked: ParkedEvent) => console.error(parkedLine(parked)), streak } = options
  let total = 0
  for (;;) {
    if (isStopped()) return total
    const batch = await processBatch(db, subscription, { streak })
    batch.parked.forEach(onParked)
    total += batch.applied
    if (batch.read < (subscription.batchSize ?? 100)) return total
  }
}

/** Catches up at once, then follows: again on every head NOTIFY from src/server/sync and every `pollMs`. */
export function subscribe(db: Db, subscription: Subscription, options: RunnerOptions = {}): Runner {
  const pollMs = options.pollMs ?? 1000
  const maxRetryMs = options.maxRetryMs ?? 30_000
  const log = options.log ?? ((line: string) => console.error(line))
  const prefix = `kiroku projection ${subscription.name}`
  const streak: ParkStreak = { limit: options.maxSameErrorParks ?? 20, code: null, count: 0 }
  let stopped = false
  let pending = true
  // `wake` ends a poll's wait early (a NOTIFY); `interrupt` ends any wait (stop).
  let wake: () => void = () => undefined
  let interrupt: () => void = () => undefined
  const nudge = () => {
    pending = true
    wake()
  }
  const pause = (ms: number, nudgeable: boolean) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms)
      interrupt = () => {
        clearTimeout(timer)
        resolve()
      }
      wake = nudgeable ? interrupt : () => undefined
    }).finally(() => (wake = interrupt = () => undefined))
  const unlistening = db.listen(HEAD_CHANNEL, nudge).catch((error: unknown) => {
    log(`${prefix}: cannot listen for new events (${logSummary(error)}); polling every ${pollMs} ms instead`)
    return async () => undefined
  })
  const loop = (async () => {
    await unlistening
    let failures = 0
    let halted = false
    while (!stopped) {
      if (pending) {
        pending = false
        try {
          await catchUp(db, subscription, { isStopped: () => stopped, onParked: (parked) => log(parkedLine(parked)), streak })
          if (failures > 0) log(`${prefix}: running again after ${failures} failed ${failures === 1 ? 'try' : 'tries'}`)
          failures = 0
          halted = false
        } catch (error) {
          if (stopped) break
          // Not an event's fault (or the checkpoint itself could not move): nothing was parked.
          // Backing off, deaf to NOTIFYs meanwhile: a busy server must not turn each push into a try and a log line.
          failures++
          const waitMs = Math.min(pollMs * 2 ** Math.min(failures - 1, 20), maxRetryMs)
          if (!(error instanceof ParkingHalted)) log(`${prefix}: failed (${logSummary(error)}); nothing parked, trying again in ${waitMs} ms`)
          else if (!halted) {
            // Once per streak: the same batch fails alike on every try until the handler is fixed.
            log(
              `${prefix}: more than ${error.count} events in a row failed on error ${error.errorCode}, a fault of the handler rather than of the events? ` +
                `Parking stopped: nothing more parked, trying again in ${waitMs} ms, backing off up to ${maxRetryMs} ms`,
            )
          }
          halted = error instanceof ParkingHalted
          await pause(waitMs, false)
          pending = true
          continue
        }
      }
      if (stopped || pending) continue
      await pause(pollMs, true)
      pending = true
    }
  })()
  return {
    async stop() {
      stopped = true
      interrupt()
      await loop
      await (await unlistening)().catch(() => undefined)
    },
  }
}
