// The two ways a stream's pending tail meets the server's truth, both inside one store
// transaction with sync's tables: pulled events that were not this device's (`reconcilePulled`),
// and a push the server refused (`resolveRefused`). Whatever leaves the stream is reported; the
// rest keeps its ids and waits to be pushed again. Only the domain's refusals (the definition's
// `isRefusal`) take an event out: when the app's check fails otherwise, every pending event is
// kept and the stream is held (`unchecked`) until a check runs through (`recheck`).
//
// Inside a store transaction only the store's and Dexie's promises resume in the transaction:
// these async functions are called through `tx.within(…)`, and call each other that way too.
import type { EventStore, RecordedEvent } from '../eventstore'
import type { CheckedEvent, SyncDefinition } from './definition'
import type { PulledEvent } from './protocol'
import type { SyncProblem, SyncReport } from './status'
import type { SyncTables } from './tables'
import { again, fromWire } from './wire'

/** What reconciling did to the stream. */
export interface Reconciled {
  /** Events were written to the stream. */
  changed: boolean
  /** Events were taken out of the log (a rebase): read models built from them must be rebuilt. */
  rewritten: boolean
  reports: SyncReport[]
  /**
   * After a check of the stream's pending events: the problem when check threw what is not a
   * refusal (every pending event was kept, and the stream is held), null when it ran through;
   * absent when no check ran.
   */
  held?: SyncProblem | null
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
    // What is left past them is as checked (or unchecked) as it was.
    const left = local.length > same
    await tables.putStream({ stream, confirmed, dirty: left ? 1 : 0, ...(left && row.unchecked ? { unchecked: true as const } : {}) })
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
 * stream, or a refusal that is not about the events' content, takes them all out. A check that
 * fails (not a refusal) leaves the tail where it is and holds the stream.
 */
export async function resolveRefused(context: Context, stream: string, refusal: { code: string; message: string }): Promise<Reconciled> {
  const { tx, tables, definition } = context
  const row = await tables.stream(stream)
  const events = await tx.read.stream(stream).toArray()
  const tail = events.slice(row.confirmed + 1)
  if (tail.length === 0) return nothing
  const policy = definition.policyOf(stream) ?? 'reject'
  if (policy === 'rebase' && refusal.code === 'invalid') {
    const decided = decide(definition, stream, events.slice(0, row.confirmed + 1), tail, refusal.code)
    if ('held' in decided) {
      await tables.putStream({ stream, confirmed: row.confirmed, dirty: 1, unchecked: true })
      return { ...nothing, held: decided.held }
    }
    // The device's rules drop some: the rest goes to the server again. If they take every event
    // the server refused, the server knows better: all of them are dropped, with its word.
    if (decided.dropped.length > 0) return { ...(await tx.within(() => rewrite(context, stream, row.confirmed, tail, decided))), held: null }
  }
  const kind = policy === 'rebase' ? 'dropped' : 'rejected'
  return tx.within(() => rewrite(context, stream, row.confirmed, tail, { kept: [], dropped: tail.map((event) => ({ event, reason: refusal })) }, kind))
}

/**
 * A stream held by a check that failed (`unchecked`), taken up again by an engine that has not
 * tried it yet (after a reload, the app's code may be fixed): its pending events are checked on
 * the confirmed ones and settled as a rebase settles them, or it stays held.
 */
export async function recheck(context: Context, stream: string): Promise<Reconciled> {
  const { tx, tables, definition } = context
  const row = await tables.stream(stream)
  const events = await tx.read.stream(stream).toArray()
  const tail = events.slice(row.confirmed + 1)
  const decided = decide(definition, stream, events.slice(0, row.confirmed + 1), tail)
  if ('held' in decided) return { ...nothing, held: decided.held }
  if (decided.dropped.length > 0) return { ...(await tx.within(() => rewrite(context, stream, row.confirmed, tail, decided))), held: null }
  await tables.putStream({ stream, confirmed: row.confirmed, dirty: tail.length > 0 ? 1 : 0 })
  return { ...nothing, held: null }
}

/** Appends `pending` after `confirmed` (the stream holds no more than that) by the stream's policy; reports what it leaves out. */
async function putBack(
  context: Context,
  stream: string,
  confirmed: number,
  pending: readonly RecordedEvent[],
  reason: { code: string; message: string },
): Promise<Reconciled> {
  const { tx, tables, definition } = context
  const policy = definition.policyOf(stream) ?? 'reject'
  if (policy !== 'rebase') return tx.within(() => rewrite(context, stream, confirmed, [], { kept: [], dropped: pending.map((event) => ({ event, reason })) }, 'rejected'))
  const state = (await tx.read.stream(stream).toArray()).map(({ type, data }) => ({ type, data }))
  const decided = decide(definition, stream, state, pending)
  if ('held' in decided) {
    // Every pending event goes back unchecked, after the server's: none is lost to a fault of the
    // app's code. The stream is not pushed until a check runs through (recheck).
    await tx.append(pending.map(again), { stream, expectedVersion: confirmed })
    await tables.putStream({ stream, confirmed, dirty: 1, unchecked: true })
    return { changed: true, rewritten: true, reports: [], held: decided.held }
  }
  return { ...(await tx.within(() => rewrite(context, stream, confirmed, [], decided))), held: null }
}

/** What a check makes of pending events: those kept and those the domain refused (with the rule's reason), or the stream held. */
type Decision = { kept: RecordedEvent[]; dropped: Array<{ event: RecordedEvent; reason: SyncReport['reason'] }> } | { held: SyncProblem }

/**
 * Replays `pending` on `confirmed` through the app's check. A refusal (the definition's
 * `isRefusal`) drops the event, reported with the rule (under the server's `code` when the server
 * refused it first); anything else check throws is a fault of the app's code, not a verdict on
 * the event: nothing is decided, and the stream is held with a problem naming it.
 */
function decide(definition: SyncDefinition, stream: string, confirmed: readonly CheckedEvent[], pending: readonly RecordedEvent[], code?: string): Decision {
  const state: CheckedEvent[] = confirmed.map(({ type, data }) => ({ type, data }))
  const kept: RecordedEvent[] = []
  const dropped: Array<{ event: RecordedEvent; reason: SyncReport['reason'] }> = []
  for (const event of pending) {
    let answer: unknown
    try {
      answer = definition.check?.(stream, state, { type: event.type, data: event.data })
    } catch (error) {
      let refused: boolean
      try {
        refused = definition.isRefusal(error)
      } catch (failure) {
        return { held: checkFailed(stream, failure, 'isRefusal') }
      }
      if (!refused) return { held: checkFailed(stream, error, 'check') }
      dropped.push({ event, reason: code === undefined ? ruleOf(error) : { ...ruleOf(error), code } })
      continue
    }
    if (typeof (answer as PromiseLike<unknown> | undefined)?.then === 'function') {
      // Its verdict would come too late to count (and a refusal in it would be an unhandled rejection).
      void Promise.resolve(answer).catch(() => undefined)
      return { held: { code: CHECK_FAILED, message: `check returned a promise for ${stream}: it must answer at once (return, or throw a refusal). ${KEPT}` } }
    }
    kept.push(event)
    state.push({ type: event.type, data: event.data })
  }
  return { kept, dropped }
}

const CHECK_FAILED = 'check_failed'
const KEPT = 'Its pending changes stay on this device and are not sent until the app is fixed and reloaded.'

function checkFailed(stream: string, error: unknown, what: 'check' | 'isRefusal'): SyncProblem {
  const words = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
  return { code: CHECK_FAILED, message: `${words} (thrown by ${what} for ${stream}, and not a refusal). ${KEPT}` }
}

/** The rule that refused an event, as its report says it: the error's `code` (else its name), message and name. */
function ruleOf(error: unknown): SyncReport['reason'] {
  if (!(error instanceof Error)) return { code: 'refused', message: String(error) }
  const code = (error as { code?: unknown }).code
  return { code: typeof code === 'string' && code !== '' ? code : error.name, message: error.message, error: error.name }
}

/**
 * Leaves the stream at `confirmed` followed by `decided.kept`, reporting each dropped event as
 * `kind`. `tail`: the events past `confirmed` still in the stream (taken out first).
 */
async function rewrite(
  context: Context,
  stream: string,
  confirmed: number,
  tail: readonly RecordedEvent[],
  decided: Extract<Decision, { kept: unknown }>,
  kind: SyncReport['kind'] = 'dropped',
): Promise<Reconciled> {
  const { tx, tables } = context
  if (tail.length > 0) await tx.truncateStream(stream, confirmed)
  const { kept, dropped } = decided
  if (kept.length > 0) await tx.append(kept.map(again), { stream, expectedVersion: confirmed })
  const reports = dropped.map(({ event, reason }) => report(context, kind, stream, event, reason))
  for (const r of reports) await tables.report(r)
  await tables.putStream({ stream, confirmed, dirty: kept.length > 0 ? 1 : 0 })
  return { changed: true, rewritten: true, reports }
}

function report(context: Context, kind: SyncReport['kind'], stream: string, event: RecordedEvent, reason: SyncReport['reason']): SyncReport {
  return { at: context.now().toISOString(), kind, stream, eventId: event.eventId, type: event.type, data: event.data, reason }
}
