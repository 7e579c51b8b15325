// Parked events: those a server subscription could not apply, kept with their error in
// parked_events (migration 005) while the subscription goes on past them. The event itself stays
// in the events table; an operator lists the parked ones and, once the cause is fixed, retries them
// (scripts/projections.ts). A retried event is applied after the events that followed it.
import type { Db, Queryable } from '../db/Db'
import { isUnavailable, summarize, type ErrorSummary } from './failures'
import { EVENT_COLUMNS, toStoredEvent, type EventRow, type StoredEvent, type Subscription } from './subscription'

export interface ParkedEvent {
  subscription: string
  globalPosition: number
  transactionId: string
  eventId: string
  type: string
  /** The error of the last try. */
  error: ErrorSummary
  /** Tries so far: 1 when parked, one more per failed retry. */
  attempts: number
  parkedAt: Date
  triedAt: Date
}

export interface RetryResult {
  eventId: string
  globalPosition: number
  type: string
  /** True when it applied now (and is no longer parked); false when it failed again (`error`, still parked). */
  applied: boolean
  error: ErrorSummary | null
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

/**
 * Applies `events` through the subscription in `tx`: as one batch, or when that throws, one event
 * at a time, parking each event that throws on its own. Resolves with the events parked.
 */
export async function applyOrPark(tx: Queryable, subscription: Subscription, events: readonly StoredEvent[]): Promise<ParkedEvent[]> {
  const failed = await attempt(tx, () => subscription.handle(events, tx))
  if (failed === undefined) return []
  const parked: ParkedEvent[] = []
  for (const event of events) {
    const error = events.length === 1 ? failed : await attempt(tx, () => subscription.handle([event], tx))
    if (error !== undefined) parked.push(await park(tx, subscription.name, event, error))
  }
  return parked
}

async function park(tx: Queryable, subscription: string, event: StoredEvent, error: unknown): Promise<ParkedEvent> {
  const summary = summarize(error)
  // Parked again (the checkpoint was reset to rebuild the read model): the same row, one more try.
  const [row] = await tx.query<ParkedRow>(
    `INSERT INTO parked_events AS p (subscription, global_position, transaction_id, event_id, type, error_code, error_message)
     VALUES ($1, $2, $3::xid8, $4, $5, $6, $7)
     ON CONFLICT (subscription, global_position) DO UPDATE
       SET error_code = EXCLUDED.error_code, error_message = EXCLUDED.error_message, attempts = p.attempts + 1, tried_at = now()
     RETURNING ${PARKED_COLUMNS}`,
    [subscription, event.globalPosition, event.transactionId, event.eventId, event.type, summary.code, summary.message],
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
  /** Only the parked event at this global position (unique). */
  globalPosition?: number
  /** Only the parked events with this id (an id is unique per account, so it can name more than one). */
  eventId?: string
}

/**
 * Applies the subscription's parked events again (all, or those `options` name), in commit order,
 * each in its own transaction that holds the subscription's checkpoint row, so that it takes turns
 * with the runners of every process. One that applies now leaves the parked table; one that fails
 * again stays, with the new error. An error that blames no event is thrown.
 */
export async function retryParked(db: Db, subscription: Subscription, options: RetryOptions = {}): Promise<RetryResult[]> {
  const targets = await db.query<{ global_position: string | number }>(
    `SELECT global_position FROM parked_events
     WHERE subscription = $1 AND ($2::bigint IS NULL OR global_position = $2) AND ($3::text IS NULL OR event_id::text = lower($3))
     ORDER BY transaction_id, global_position`,
    [subscription.name, options.globalPosition ?? null, options.eventId ?? null],
  )
  const results: RetryResult[] = []
  for (const target of targets) {
    const result = await db.transaction(async (tx) => {
      await tx.query('SELECT name FROM subscription_checkpoints WHERE name = $1 FOR UPDATE', [subscription.name])
      const [row] = await tx.query<EventRow>(
        `SELECT ${EVENT_COLUMNS} FROM parked_events p JOIN events e ON e.global_position = p.global_position
         WHERE p.subscription = $1 AND p.global_position = $2 FOR UPDATE OF p`,
        [subscription.name, target.global_position],
      )
      if (row === undefined) return null // retried meanwhile by another process
      const event = toStoredEvent(row)
      const error = await attempt(tx, () => subscription.handle([event], tx))
      const done = { eventId: event.eventId, globalPosition: event.globalPosition, type: event.type }
      if (error === undefined) {
        await tx.query('DELETE FROM parked_events WHERE subscription = $1 AND global_position = $2', [subscription.name, event.globalPosition])
        return { ...done, applied: true, error: null }
      }
      const summary = summarize(error)
      await tx.query(
        `UPDATE parked_events SET error_code = $3, error_message = $4, attempts = attempts + 1, tried_at = now()
         WHERE subscription = $1 AND global_position = $2`,
        [subscription.name, event.globalPosition, summary.code, summary.message],
      )
      return { ...done, applied: false, error: summary }
    })
    if (result !== null) results.push(result)
  }
  return results
}

const PARKED_COLUMNS =
  'p.subscription, p.global_position, p.transaction_id::text AS transaction_id, p.event_id, p.type, p.error_code, p.error_message, p.attempts, p.parked_at, p.tried_at'

type ParkedRow = {
  subscription: string
  global_position: string | number
  transaction_id: string
  event_id: string
  type: string
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
    eventId: row.event_id,
    type: row.type,
    error: { code: row.error_code, message: row.error_message },
    attempts: Number(row.attempts),
    parkedAt: dateOf(row.parked_at),
    triedAt: dateOf(row.tried_at),
  }
}
