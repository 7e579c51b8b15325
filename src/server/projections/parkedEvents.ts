// Parked events: those a server subscription could not apply, kept with their error in
// parked_events (migration 005) while the subscription goes on past them. The event itself stays
// in the events table; an operator lists the parked ones and, once the cause is fixed, retries them
// (an operator does it with `parkedEvents` and `retryParked`; the shop has `npm run projections`).
//
// Parking keeps each stream's order. Once an event of a stream is parked for a subscription, that
// subscription's later events of the same stream are parked behind it, not run through the handler
// (an `Order.Completed` applied while its `Order.Placed` is parked would complete nothing, and the
// retried Placed would leave the order placed for ever). A retry applies a stream's parked events
// in commit order and stops at the first that fails again; once a stream has nothing parked, its
// new events are applied as they come. Every other stream goes on meanwhile.
import type { Db, Queryable } from '../db/Db'
import { isUnavailable, summarize, type ErrorSummary } from './failures'
import { EVENT_COLUMNS, toStoredEvent, type EventRow, type StoredEvent, type Subscription } from './subscription'

export interface ParkedEvent {
  subscription: string
  globalPosition: number
  transactionId: string
  stream: string
  eventId: string
  type: string
  /**
   * The global position of the parked event of its stream it waits behind (it was not run through
   * the handler); null when the handler failed on it.
   */
  behind: number | null
  /** The error of the last try; for an event parked behind, code `behind_parked` and why. */
  error: ErrorSummary
  /** Tries so far: 1 when parked (0 when parked behind), one more per failed retry. */
  attempts: number
  parkedAt: Date
  triedAt: Date
}

/** The error code of an event parked behind another of its stream (not tried). */
export const BEHIND_PARKED = 'behind_parked'

export interface RetryResult {
  eventId: string
  globalPosition: number
  type: string
  stream: string
  /** True when it applied now (and is no longer parked); false when it is still parked. */
  applied: boolean
  /** True when it was not tried: still parked behind an earlier event of its stream that failed again. */
  behind: boolean
  /** The error of this try when it failed again; null when it applied or was not tried. */
  error: ErrorSummary | null
}

/**
 * A runner's guard against a handler's own bug: every event failing alike (a TypeError for each)
 * would move the whole read model into parked_events. After `limit` parks in a row with the same
 * error code (no event applied in between), the next one is not parked: the batch fails with
 * ParkingHalted and the runner backs off as for an unavailable database.
 */
export interface ParkStreak {
  limit: number
  code: string | null
  count: number
}

/** Thrown instead of parking one more event after a streak of parks with the same error code. */
export class ParkingHalted extends Error {
  readonly code = 'KIROKU_PARKING_HALTED'
  constructor(
    /** The error code the events failed with. */
    readonly errorCode: string,
    /** Parks in a row with that code. */
    readonly count: number,
  ) {
    super(`more than ${count} events in a row failed with ${errorCode}: parking stopped`)
    this.name = 'ParkingHalted'
  }
}

/**
 * Runs `fn` in a savepoint: resolves with undefined when it succeeds, or with the error it threw,
 * its writes undone and the transaction usable again. An error that blames no event (the database
 * is unavailable, see failures.ts) is thrown on: it fails the whole transaction.
 */
export async function attempt(tx: Queryable, fn: () => Promise<void>): Promise<unknown> {
  await tx.query('SAVEPOINT kiroku_event')
  try {
    await fn()
  } catch (error) {
    if (isUnavailable(error)) throw error
    await tx.query('ROLLBACK TO SAVEPOINT kiroku_event')
    await tx.query('RELEASE SAVEPOINT kiroku_event')
    return error ?? new Error('The handler threw no error value')
  }
  await tx.query('RELEASE SAVEPOINT kiroku_event')
  return undefined
}

/** An event's place in commit order. */
interface Place {
  transactionId: bigint
  globalPosition: number
}

const placeOf = (event: { transactionId: string; globalPosition: number }): Place => ({
  transactionId: BigInt(event.transactionId),
  globalPosition: event.globalPosition,
})

const before = (a: Place, b: Place) => a.transactionId < b.transactionId || (a.transactionId === b.transactionId && a.globalPosition < b.globalPosition)

/**
 * The first parked event (in commit order) of each of `events`' streams that has parked events for
 * the subscription: one query for the batch, on the index parked_events_stream.
 */
export async function firstParkedOfStreams(tx: Queryable, subscription: string, events: readonly StoredEvent[]): Promise<Map<string, Place>> {
  const streams = [...new Set(events.map((event) => event.stream))]
  const rows = await tx.query<{ stream: string; transaction_id: string; global_position: string | number }>(
    `SELECT DISTINCT ON (p.stream) p.stream, p.transaction_id::text AS transaction_id, p.global_position
     FROM parked_events p
     WHERE p.subscription = $1 AND p.stream IN (SELECT jsonb_array_elements_text($2::text::jsonb))
     ORDER BY p.stream, p.transaction_id, p.global_position`,
    [subscription, JSON.stringify(streams)],
  )
  return new Map(rows.map((row) => [row.stream, placeOf({ transactionId: row.transaction_id, globalPosition: Number(row.global_position) })]))
}

/** What applyOrPark is told of the parked events of the batch's streams, and of the runner's streak. */
export interface ApplyOptions {
  /** The first parked event of each stream with parked events (firstParkedOfStreams); none when omitted. */
  parkedStreams?: Map<string, Place>
  /** Updated in place; omitted: no limit. */
  streak?: ParkStreak
}

/**
 * Applies `events` through the subscription in `tx`: as one batch, or when that throws, one event
 * at a time, parking each event that throws on its own. An event of a stream with an earlier parked
 * event (in the table, or parked here) is parked behind it, not handed to the handler. Resolves
 * with the events parked.
 */
export async function applyOrPark(tx: Queryable, subscription: Subscription, events: readonly StoredEvent[], options: ApplyOptions = {}): Promise<ParkedEvent[]> {
  const { streak } = options
  const parkedStreams = new Map(options.parkedStreams ?? [])
  const blockedBy = (event: StoredEvent): Place | undefined => {
    const first = parkedStreams.get(event.stream)
    return first !== undefined && before(first, placeOf(event)) ? first : undefined
  }
  const runnable = parkedStreams.size === 0 ? events : events.filter((event) => blockedBy(event) === undefined)
  const failed = runnable.length === 0 ? undefined : await attempt(tx, () => subscription.handle(runnable, tx))
  const parked: ParkedEvent[] = []
  if (failed === undefined) {
    if (runnable.length > 0 && streak !== undefined) Object.assign(streak, { code: null, count: 0 })
    if (runnable.length === events.length) return parked
    for (const event of events) {
      const first = blockedBy(event)
      if (first !== undefined) parked.push(await parkBehind(tx, subscription.name, event, first))
    }
    return parked
  }
  for (const event of events) {
    const first = blockedBy(event)
    if (first !== undefined) {
      parked.push(await parkBehind(tx, subscription.name, event, first))
      continue
    }
    const error = runnable.length === 1 ? failed : await attempt(tx, () => subscription.handle([event], tx))
    if (error === undefined) {
      if (streak !== undefined) Object.assign(streak, { code: null, count: 0 })
      continue
    }
    const summary = summarize(error)
    if (streak !== undefined) {
      if (streak.code === summary.code && streak.count >= streak.limit) throw new ParkingHalted(summary.code, streak.count)
      Object.assign(streak, { code: summary.code, count: streak.code === summary.code ? streak.count + 1 : 1 })
    }
    parked.push(await park(tx, subscription.name, event, summary, null))
    if (!parkedStreams.has(event.stream)) parkedStreams.set(event.stream, placeOf(event))
  }
  return parked
}

function parkBehind(tx: Queryable, subscription: string, event: StoredEvent, first: Place): Promise<ParkedEvent> {
  return park(tx, subscription, event, { code: BEHIND_PARKED, message: behindMessage(first.globalPosition) }, first.globalPosition)
}

const behindMessage = (position: number) =>
  `behind the parked event at global position ${position} of its stream: not tried, so that nothing of the stream is applied out of order`

async function park(tx: Queryable, subscription: string, event: StoredEvent, summary: ErrorSummary, behind: number | null): Promise<ParkedEvent> {
  // Parked again (the checkpoint was reset to rebuild the read model): the same row, one more try.
  const [row] = await tx.query<ParkedRow>(
    `INSERT INTO parked_events AS p (subscription, global_position, transaction_id, stream, event_id, type, error_code, error_message, behind, attempts)
     VALUES ($1, $2, $3::xid8, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (subscription, global_position) DO UPDATE
       SET error_code = EXCLUDED.error_code, error_message = EXCLUDED.error_message, behind = EXCLUDED.behind,
           attempts = p.attempts + EXCLUDED.attempts, tried_at = now()
     RETURNING ${PARKED_COLUMNS}`,
    [subscription, event.globalPosition, event.transactionId, event.stream, event.eventId, event.type, summary.code, summary.message, behind, behind === null ? 1 : 0],
  )
  return toParkedEvent(row!)
}

/** The parked events, of one subscription or all, in commit order. */
export async function parkedEvents(db: Queryable, subscription?: string): Promise<ParkedEvent[]> {
  const rows = await db.query<ParkedRow>(
    `SELECT ${PARKED_COLUMNS} FROM parked_events p WHERE $1::text IS NULL OR p.subscription = $1 ORDER BY p.subscription, p.transaction_id, p.global_position`,
    [subscription ?? null],
  )
  return rows.map(toParkedEvent)
}

export interface RetryOptions {
  /** Only the stream of the parked event at this global position (unique). */
  globalPosition?: number
  /** Only the streams of the parked events with this id (an id is unique per account, so it can name more than one). */
  eventId?: string
}

/**
 * Applies the subscription's parked events again, stream by stream: all streams with parked events,
 * or those of the events `options` names (an event is retried with its stream, from the stream's
 * first parked event: it cannot be applied before those). A stream's parked events are applied in
 * commit order, each in its own transaction that holds the subscription's checkpoint row, so that
 * it takes turns with the runners of every process; one that applies now leaves the parked table.
 * The first that fails again stays, with the new error, and the stream's later ones stay parked
 * behind it (reported with `behind`, not tried). Once a stream has nothing parked, the runners
 * apply its new events again. An error that blames no event is thrown.
 */
export async function retryParked(db: Db, subscription: Subscription, options: RetryOptions = {}): Promise<RetryResult[]> {
  const targets = await db.query<{ stream: string }>(
    `SELECT stream FROM parked_events
     WHERE subscription = $1 AND ($2::bigint IS NULL OR global_position = $2) AND ($3::text IS NULL OR event_id::text = lower($3))
     ORDER BY transaction_id, global_position`,
    [subscription.name, options.globalPosition ?? null, options.eventId ?? null],
  )
  const results: RetryResult[] = []
  for (const stream of new Set(targets.map((target) => target.stream))) results.push(...(await retryStream(db, subscription, stream)))
  return results
}

/** Applies one stream's parked events in commit order, until none is left or one fails again. */
async function retryStream(db: Db, subscription: Subscription, stream: string): Promise<RetryResult[]> {
  const results: RetryResult[] = []
  for (;;) {
    // The stream's first parked event, read afresh each time: a runner may have parked more behind it meanwhile.
    const step = await db.transaction((tx) => retryFirst(tx, subscription, stream))
    results.push(...step.results)
    if (!step.applied) return results
  }
}

/** Retries the stream's first parked event; `applied` false when there was none or it failed again. */
async function retryFirst(tx: Queryable, subscription: Subscription, stream: string): Promise<{ applied: boolean; results: RetryResult[] }> {
  await tx.query('SELECT name FROM subscription_checkpoints WHERE name = $1 FOR UPDATE', [subscription.name])
  const [row] = await tx.query<EventRow>(
    `SELECT ${EVENT_COLUMNS} FROM parked_events p JOIN events e ON e.global_position = p.global_position
     WHERE p.subscription = $1 AND p.stream = $2 ORDER BY p.transaction_id, p.global_position LIMIT 1 FOR UPDATE OF p`,
    [subscription.name, stream],
  )
  if (row === undefined) return { applied: false, results: [] } // nothing (more) parked: done, or retried meanwhile
  const event = toStoredEvent(row)
  const error = await attempt(tx, () => subscription.handle([event], tx))
  const done = { eventId: event.eventId, globalPosition: event.globalPosition, type: event.type, stream: event.stream, behind: false }
  if (error === undefined) {
    await tx.query('DELETE FROM parked_events WHERE subscription = $1 AND global_position = $2', [subscription.name, event.globalPosition])
    return { applied: true, results: [{ ...done, applied: true, error: null }] }
  }
  const summary = summarize(error)
  await tx.query(
    `UPDATE parked_events SET error_code = $3, error_message = $4, behind = NULL, attempts = attempts + 1, tried_at = now()
     WHERE subscription = $1 AND global_position = $2`,
    [subscription.name, event.globalPosition, summary.code, summary.message],
  )
  // The stream's later parked events now wait behind this one.
  await tx.query(
    `UPDATE parked_events SET behind = $3, error_message = $4
     WHERE subscription = $1 AND stream = $2 AND behind IS NOT NULL AND behind <> $3`,
    [subscription.name, stream, event.globalPosition, behindMessage(event.globalPosition)],
  )
  const rest = await tx.query<ParkedRow>(
    `SELECT ${PARKED_COLUMNS} FROM parked_events p
     WHERE p.subscription = $1 AND p.stream = $2 AND (p.transaction_id, p.global_position) > ($3::xid8, $4::bigint)
     ORDER BY p.transaction_id, p.global_position`,
    [subscription.name, stream, event.transactionId, event.globalPosition],
  )
  const behind = rest.map(toParkedEvent).map(({ eventId, globalPosition, type, stream }) => ({ eventId, globalPosition, type, stream, applied: false, behind: true, error: null }))
  return { applied: false, results: [{ ...done, applied: false, error: summary }, ...behind] }
}

const PARKED_COLUMNS =
  'p.subscription, p.global_position, p.transaction_id::text AS transaction_id, p.stream, p.event_id, p.type, p.behind, p.error_code, p.error_message, p.attempts, p.parked_at, p.tried_at'

type ParkedRow = {
  subscription: string
  global_position: string | number
  transaction_id: string
  stream: string
  event_id: string
  type: string
  behind: string | number | null
  error_code: string
  error_message: string
  attempts: number
  parked_at: Date | string
  tried_at: Date | string
}

const dateOf = (value: Date | string) => (value instanceof Date ? value : new Date(value))

function toParkedEvent(row: ParkedRow): ParkedEvent {
  return {
    subscription: row.subscription,
    globalPosition: Number(row.global_position),
    transactionId: row.transaction_id,
    stream: row.stream,
    eventId: row.event_id,
    type: row.type,
    behind: row.behind === null ? null : Number(row.behind),
    error: { code: row.error_code, message: row.error_message },
    attempts: Number(row.attempts),
    parkedAt: dateOf(row.parked_at),
    triedAt: dateOf(row.tried_at),
  }
}
