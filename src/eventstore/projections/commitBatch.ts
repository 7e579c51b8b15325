import Dexie, { type Transaction } from 'dexie'
import type { RecordedEvent } from '../events'
import type { EventStore } from '../client'
import { ProjectionTransactionExpiredError } from '../errors'
import { type CheckpointRecord, PROJECTIONS, request } from '../storage'
import type { Position } from './Checkpoints'
import type { ProjectionContext, ProjectionDefinition } from './Projection'

/** Another runner moved the checkpoint first: re-read it rather than apply anything twice. */
export class CheckpointMoved extends Error {}

/**
 * Applies events and moves the projection's checkpoint past them, in one transaction.
 *
 * IndexedDB commits a transaction as soon as no request of it is pending, so an apply that awaits
 * anything else (a timer, fetch, crypto.subtle, blob.text()) lets it commit half done, and the
 * next request is refused. Hence the order: each event's checkpoint is written *before* its apply
 * (before applyBatch, the batch's), so whenever IndexedDB commits, whatever apply wrote is behind
 * the checkpoint and nothing is ever applied twice. Before each apply and after the last, a
 * request of the runner's own checks that the transaction still takes requests; when it does
 * not, the runner lets IndexedDB finish what it holds (aborting by then would race the commit)
 * and throws ProjectionTransactionExpiredError, which stops the projection instead of a retry.
 */
export async function commitBatch(
  store: EventStore,
  definition: ProjectionDefinition,
  types: ReadonlySet<string>,
  from: Position,
  events: readonly RecordedEvent[],
): Promise<Position> {
  const last = events.at(-1)!
  const callback = definition.applyBatch ? 'applyBatch' : 'apply'
  let expired: { event: RecordedEvent; cause?: unknown } | null = null
  let ended: Promise<boolean> = Promise.resolve(false)
  try {
    await store.transaction(async (tx) => {
      const trans = currentTransaction()
      const idbtrans = (trans as unknown as { idbtrans: IDBTransaction }).idbtrans
      ended = outcome(idbtrans)
      const checkpoints = new CheckpointWriter(idbtrans, definition)
      const context: ProjectionContext = {
        store: tx,
        table: (name) => {
          if (!definition.tables.includes(name)) throw new Error(`Projection "${definition.name}" does not own the table "${name}".`)
          return trans.table(name)
        },
      }
      const row = (await trans.table(PROJECTIONS).get(definition.name)) as CheckpointRecord | undefined
      if ((row?.position ?? 0) !== from.position) throw new CheckpointMoved()
      const handled = events.filter((event) => types.has(event.type))
      // [the event named if it goes wrong, the checkpoint written before the call, the call]
      const steps: Array<[RecordedEvent, RecordedEvent, () => void | Promise<void>]> = definition.applyBatch
        ? handled.length ? [[handled[0]!, last, () => definition.applyBatch!(handled, context)]] : []
        : handled.map((event) => [event, event, () => definition.apply!(event, context)])
      let previous: RecordedEvent | null = null
      for (const [event, through, call] of steps) {
        if (!checkpoints.move(through)) return void (expired = { event: previous ?? event })
        try {
          await call()
        } catch (error) {
          // Still open: an ordinary failure, rolled back whole and retried. Ended under the call:
          // what it wrote before the await is IndexedDB's now; only stopping keeps it single.
          if (checkpoints.takesRequests()) throw error
          return void (expired = { event, cause: error })
        }
        previous = event
      }
      if (!checkpoints.move(last)) return void (expired = { event: previous ?? last })
      await checkpoints.written()
    })
  } catch (error) {
    if (!expired) throw error
  }
  if (expired) {
    const { event, cause } = expired as { event: RecordedEvent; cause?: unknown }
    const committed = await ended
    throw new ProjectionTransactionExpiredError(definition.name, event.eventId, event.globalPosition, committed, callback, cause === undefined ? undefined : { cause })
  }
  return { position: last.globalPosition, eventId: last.eventId }
}

/** Writes the checkpoint with raw requests, which IndexedDB refuses at once once the transaction has ended. */
class CheckpointWriter {
  private readonly writes: Array<Promise<unknown>> = []

  constructor(
    private readonly idbtrans: IDBTransaction,
    private readonly definition: ProjectionDefinition,
  ) {}

  /** Puts the checkpoint at `event`; false when the transaction no longer takes requests. */
  move(event: RecordedEvent): boolean {
    const row: CheckpointRecord = {
      name: this.definition.name,
      position: event.globalPosition,
      eventId: event.eventId,
      updatedAt: new Date(),
      version: this.definition.version ?? 1,
    }
    let req: IDBRequest
    try {
      req = this.idbtrans.objectStore(PROJECTIONS).put(row)
    } catch (error) {
      if (refused(error)) return false
      throw error
    }
    const written = request(req)
    // Awaited in written(); until then, a failure must not count as unhandled.
    written.catch(() => undefined)
    this.writes.push(written)
    return true
  }

  /** Whether the transaction still takes requests (asks with a read that changes nothing). */
  takesRequests(): boolean {
    try {
      this.idbtrans.objectStore(PROJECTIONS).count()
      return true
    } catch (error) {
      if (refused(error)) return false
      throw error
    }
  }

  written(): Promise<unknown> {
    return Promise.all(this.writes)
  }
}

/** The request was refused because the transaction is no longer active (or already finished). */
const refused = (error: unknown): boolean => ['TransactionInactiveError', 'InvalidStateError'].includes((error as Error | null)?.name ?? '')

/** True once the transaction committed, false if it aborted. */
const outcome = (idbtrans: IDBTransaction): Promise<boolean> =>
  new Promise((resolve) => {
    idbtrans.addEventListener('complete', () => resolve(true))
    idbtrans.addEventListener('abort', () => resolve(false))
  })

export function currentTransaction(): Transaction {
  const trans = Dexie.currentTransaction
  if (!trans) throw new Error('Expected to run inside store.transaction.')
  return trans
}
