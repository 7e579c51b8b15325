// The two ways a stream's pending tail meets the server's truth, both inside one store
// transaction with sync's tables: pulled events that were not this device's (`reconcilePulled`),
// and a push the server refused (`resolveRefused`). Whatever leaves the stream is reported; the
// rest keeps its ids and waits to be pushed again.
//
// Inside a store transaction only the store's and Dexie's promises resume in the transaction:
// these async functions are called through `tx.within(…)`, and call each other that way too.
import type { EventStore, RecordedEvent } from '../eventstore'
import type { CheckedEvent, SyncDefinition } from './definition'
import type { PulledEvent } from './protocol'
import type { SyncReport } from './status'
import type { SyncTables } from './tables'
import { again, fromWire } from './wire'

/** What reconciling did to the stream. */
export interface Reconciled {
  /** Events were written to the stream. */
  changed: boolean
  /** Events were taken out of the log (a rebase): read models built from them must be rebuilt. */
  rewritten: boolean
  reports: SyncReport[]
}

const nothing: Reconciled = { changed: false, rewritten: false, reports: [] }

/** The device holds a stream that does not match the server's below the confirmed version. */
export class SyncStateError extends Error {
  override name = 'SyncStateError'
}

interface Context {
  tx: EventStore
  tables: SyncTables
  definition: SyncDefinition
  now: () => Date
}

/**
 * Brings `stream` up to the server's events (`server`: pulled, in stream order). Pending local
 * events the server already holds (a push whose answer was lost) are confirmed in place; when
 * they differ, the local tail is taken out, the server's events go in, and the tail is put back
 * after them by the stream's policy.
 */
export async function reconcilePulled(context: Context, stream: string, pulled: readonly PulledEvent[]): Promise<Reconciled> {
  const { tx, tables } = context
  const row = await tables.stream(stream)
  const server = pulled.filter((event) => event.streamPosition > row.confirmed)
  const last = server.at(-1)
  if (last === undefined) return nothing
  if ((server[0] as PulledEvent).streamPosition !== row.confirmed + 1) {
    throw new SyncStateError(`Stream ${stream} is confirmed up to ${row.confirmed} here, but the server's next event is at ${(server[0] as PulledEvent).streamPosition}.`)
  }
  const local = await tx.read.stream(stream).after(row.confirmed).toArray()
  let same = 0
  while (same < server.length && same < local.length && (local[same] as RecordedEvent).eventId === (server[same] as PulledEvent).eventId) same++
  const confirmed = last.streamPosition
  const base = row.confirmed + same
  if (same === server.length) {
    // All of them are this device's own, already in place: the server confirms them.
    await tables.putStream({ stream, confirmed, dirty: local.length > same ? 1 : 0 })
    return nothing
  }
  if (same === local.length) {
    await tx.append(server.slice(same).map(fromWire), { stream, expectedVersion: base })
    await tables.putStream({ stream, confirmed, dirty: 0 })
    return { changed: true, rewritten: false, reports: [] }
  }
  // Diverged: another device's events got the positions this device's pending ones had.
  const tail = await tx.truncateStream(stream, base)
  await tx.append(server.slice(same).map(fromWire), { stream, expectedVersion: base })
  const taken = new Set(server.map((event) => event.eventId))
  const pending = tail.filter((event) => !taken.has(event.eventId))
  const reason = { code: 'conflict', message: `Another device changed ${stream} before this change reached the server.` }
  return tx.within(() => putBack(context, stream, confirmed, pending, reason))
}

/**
 * The server refused the stream's pending events (`rejected`, with its reason and message). A
 * `rebase` stream keeps those the domain's rules still take on the confirmed events and drops the
 * rest; if the rules take them all, the server knows better and all are dropped. A `reject`
 * stream, or a refusal that is not about the events' content, takes them all out.
 */
export async function resolveRefused(context: Context, stream: string, refusal: { code: string; message: string }): Promise<Reconciled> {
  const { tx, tables } = context
  const row = await tables.stream(stream)
  const tail = await tx.truncateStream(stream, row.confirmed)
  if (tail.length === 0) return nothing
  const policy = context.definition.policyOf(stream) ?? 'reject'
  if (policy === 'rebase' && refusal.code === 'invalid') {
    const kept = await tx.within(() => putBack(context, stream, row.confirmed, tail, refusal))
    if (kept.reports.length > 0) return kept
    // The device's rules take every event the server refused: drop them all, with the server's word.
    await tx.truncateStream(stream, row.confirmed)
  }
  const kind = policy === 'rebase' ? 'dropped' : 'rejected'
  const reports = tail.map((event) => report(context, kind, stream, event, refusal))
  for (const r of reports) await tables.report(r)
  await tables.putStream({ stream, confirmed: row.confirmed, dirty: 0 })
  return { changed: true, rewritten: true, reports }
}

/** Appends `pending` after `confirmed` by the stream's policy; reports what it leaves out. */
async function putBack(context: Context, stream: string, confirmed: number, pending: readonly RecordedEvent[], reason: { code: string; message: string }): Promise<Reconciled> {
  const { tx, tables, definition } = context
  const policy = definition.policyOf(stream) ?? 'reject'
  const kept: RecordedEvent[] = []
  const reports: SyncReport[] = []
  if (policy === 'rebase') {
    const state: CheckedEvent[] = (await tx.read.stream(stream).toArray()).map(({ type, data }) => ({ type, data }))
    for (const event of pending) {
      try {
        definition.check?.(stream, state, { type: event.type, data: event.data })
        kept.push(event)
        state.push({ type: event.type, data: event.data })
      } catch (error) {
        const plain = error instanceof Error ? { message: error.message, error: error.name } : { message: String(error) }
        reports.push(report(context, 'dropped', stream, event, { code: reason.code, ...plain }))
      }
    }
  } else {
    for (const event of pending) reports.push(report(context, 'rejected', stream, event, reason))
  }
  if (kept.length > 0) await tx.append(kept.map(again), { stream, expectedVersion: confirmed })
  for (const r of reports) await tables.report(r)
  await tables.putStream({ stream, confirmed, dirty: kept.length > 0 ? 1 : 0 })
  return { changed: true, rewritten: true, reports }
}

function report(context: Context, kind: SyncReport['kind'], stream: string, event: RecordedEvent, reason: SyncReport['reason']): SyncReport {
  return { at: context.now().toISOString(), kind, stream, eventId: event.eventId, type: event.type, data: event.data, reason }
}
