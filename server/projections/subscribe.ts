// Server-side subscriptions: read all users' events in commit order, never skipping one, and hand
// each batch to a handler inside the transaction that also moves the subscription's checkpoint.
//
// Commit order, not position order: a transaction can take global position 1, stay open while
// another takes 2 and commits, and commit later. Paging by global_position alone would pass 1 for
// good (the sequence-gap trap, RECIPES.md). So events are read by (transaction_id, global_position)
// and only from transactions older than every transaction still running
// (transaction_id < pg_snapshot_xmin(pg_current_snapshot())): those have all ended, so nothing can
// appear behind the checkpoint later (Emmett's approach).
import type { Db, Queryable } from '../db/Db'
import { HEAD_CHANNEL } from '../sync'

export interface StoredEvent {
  globalPosition: number
  /** The writing transaction's id (xid8, as text: it can exceed 2^53). */
  transactionId: string
  userId: string
  stream: string
  streamPosition: number
  eventId: string
  type: string
  data: unknown
  metadata: Record<string, unknown>
  recordedAt: Date
}

export interface Subscription {
  /** The checkpoint's name: one per read model, stable across restarts. */
  name: string
  /** Events per transaction (default 100). */
  batchSize?: number
  /** Applies a batch to the read model through `tx`; the checkpoint moves in the same transaction. */
  handle(events: readonly StoredEvent[], tx: Queryable): Promise<void>
}

export interface RunnerOptions {
  /** How often to look again without a NOTIFY (default 1000 ms): events of transactions that were
   * still running below the snapshot's xmin become readable later, and no NOTIFY says when. */
  pollMs?: number
  onError?: (error: unknown) => void
}

export interface Runner {
  /** Resolves once the runner has stopped (after the batch in hand, if any). */
  stop(): Promise<void>
}

type EventRow = {
  global_position: string | number
  transaction_id: string
  user_id: string | number
  stream: string
  stream_position: string | number
  event_id: string
  type: string
  data: unknown
  metadata: Record<string, unknown> | null
  recorded_at: Date | string
}

/** Reads and applies one batch in one transaction; resolves with how many events it applied. */
export async function processBatch(db: Db, subscription: Subscription): Promise<number> {
  const batchSize = subscription.batchSize ?? 100
  return db.transaction(async (tx) => {
    await tx.query('INSERT INTO subscription_checkpoints (name) VALUES ($1) ON CONFLICT (name) DO NOTHING', [subscription.name])
    // FOR UPDATE: two processes running the same subscription take turns, never apply a batch twice.
    const [checkpoint] = await tx.query<{ transaction_id: string; global_position: string | number }>(
      'SELECT transaction_id::text AS transaction_id, global_position FROM subscription_checkpoints WHERE name = $1 FOR UPDATE',
      [subscription.name],
    )
    const rows = await tx.query<EventRow>(
      `SELECT global_position, transaction_id::text AS transaction_id, user_id, stream, stream_position, event_id, type, data, metadata, recorded_at
       FROM events
       WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint)
         AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
       ORDER BY transaction_id, global_position
       LIMIT $3`,
      [checkpoint!.transaction_id, checkpoint!.global_position, batchSize],
    )
    if (rows.length === 0) return 0
    const events = rows.map(toStoredEvent)
    await subscription.handle(events, tx)
    const last = events[events.length - 1]!
    await tx.query('UPDATE subscription_checkpoints SET transaction_id = $2::xid8, global_position = $3, updated_at = now() WHERE name = $1', [
      subscription.name,
      last.transactionId,
      last.globalPosition,
    ])
    return events.length
  })
}

/** Applies batches until none is left that can be read safely; resolves with how many events it applied. */
export async function catchUp(db: Db, subscription: Subscription, isStopped: () => boolean = () => false): Promise<number> {
  let total = 0
  for (;;) {
    if (isStopped()) return total
    const applied = await processBatch(db, subscription)
    total += applied
    if (applied < (subscription.batchSize ?? 100)) return total
  }
}

/** Catches up at once, then follows: again on every head NOTIFY from server/sync and every `pollMs`. */
export function subscribe(db: Db, subscription: Subscription, options: RunnerOptions = {}): Runner {
  const pollMs = options.pollMs ?? 1000
  const onError = options.onError ?? ((error: unknown) => console.error(`kiroku projection ${subscription.name}:`, error))
  let stopped = false
  let pending = true
  let wake: () => void = () => undefined
  const nudge = () => {
    pending = true
    wake()
  }
  const unlistening = db.listen(HEAD_CHANNEL, nudge).catch((error: unknown) => {
    onError(error)
    return async () => undefined
  })
  const loop = (async () => {
    await unlistening
    while (!stopped) {
      if (pending) {
        pending = false
        try {
          await catchUp(db, subscription, () => stopped)
        } catch (error) {
          if (!stopped) onError(error)
        }
      }
      if (stopped || pending) continue
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          pending = true
          resolve()
        }, pollMs)
        wake = () => {
          clearTimeout(timer)
          resolve()
        }
      })
      wake = () => undefined
    }
  })()
  return {
    async stop() {
      stopped = true
      wake()
      await loop
      await (await unlistening)().catch(() => undefined)
    },
  }
}

function toStoredEvent(row: EventRow): StoredEvent {
  return {
    globalPosition: Number(row.global_position),
    transactionId: row.transaction_id,
    userId: String(row.user_id),
    stream: row.stream,
    streamPosition: Number(row.stream_position),
    eventId: row.event_id,
    type: row.type,
    data: row.data,
    metadata: row.metadata ?? {},
    recordedAt: row.recorded_at instanceof Date ? row.recorded_at : new Date(row.recorded_at),
  }
}
