// What the server stores must be what PostgreSQL and the server's own projections can hold, and
// no more of it than one account may keep. Judged in node before any statement sees the commit:
// text with a NUL PostgreSQL refuses (22021, 22P05), a lone surrogate it refuses in jsonb and
// silently replaces in text; a stream name past a btree entry's size; a date JavaScript takes and
// PostgreSQL does not (+275760-09-13, 0000-01-01, 2026-02-30); an event that would make one pull
// page, or one account, too large.
import type { Queryable } from '../db/Db'
import { protocolError, type ProtocolError } from '../protocol'
import type { Commit, EventEnvelope } from './envelope'

export interface StorageLimits {
  /** Bytes of one event's data and metadata as JSON (UTF-8); a larger one is its commit's `rejected: invalid`. */
  eventBytes: number
  /** Bytes one account may store: its events' data and metadata as JSON (UTF-8), as for `eventBytes`; past it a push is 413 `too_large`. */
  accountBytes: number
  /** Characters of a stream name or an event type. */
  nameChars: number
  /** The earliest and the latest instant a `metadata.timestamp` or `metadata.validAt` may name. */
  earliest: Date
  latest: Date
}

export const DEFAULT_STORAGE_LIMITS: StorageLimits = {
  eventBytes: 256 * 1024,
  accountBytes: 64 * 1024 * 1024,
  // A btree entry holds at most 2,704 bytes; 256 characters are at most 1,024 in UTF-8.
  nameChars: 256,
  // Four-digit years, as toISOString writes them: JavaScript and PostgreSQL both hold every one.
  earliest: new Date('0001-01-01T00:00:00.000Z'),
  latest: new Date('9999-12-31T23:59:59.999Z'),
}

export const storageLimitsOf = (limits: Partial<StorageLimits> = {}): StorageLimits => ({ ...DEFAULT_STORAGE_LIMITS, ...limits })

/** What the server writes into every event's metadata (append.ts), overwriting the client's. */
export interface Stamp {
  /** The partition the events go to (its quota counts them). */
  partition: string
  /** The author's id as the app knows it. */
  userId: string
  /** A shared space's id, which the events' metadata names. */
  spaceId?: string
  clientId: string
  recordedAt: Date
}

/** A NUL, or half of a UTF-16 surrogate pair without its other half. */
const UNSTORABLE_CHARACTER = /[\u0000\p{Cs}]/u

/** Whether PostgreSQL can store `text` as it is. */
export const isStorableText = (text: string): boolean => !UNSTORABLE_CHARACTER.test(text)

/**
 * The path of the first string (value or key) in `value` that PostgreSQL cannot store, e.g.
 * `lines.0.note`, or undefined. Iterative: the value may nest deeper than the stack allows.
 */
export function unstorablePath(value: unknown): string | undefined {
  const stack: Array<{ value: unknown; path: string }> = [{ value, path: '' }]
  const join = (path: string, key: string) => (path === '' ? key : `${path}.${key}`)
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const { value, path } = item
    if (typeof value === 'string') {
      if (!isStorableText(value)) return path || '(the value)'
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], path: join(path, String(i)) })
    } else if (value !== null && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        // A key shown in the message would be as unprintable as the value: its path ends here.
        if (!isStorableText(key)) return join(path, '(a key)')
        stack.push({ value: inner, path: join(path, key) })
      }
    }
  }
  return undefined
}

// An instant with its zone, as toISOString writes it (seconds required, a fraction optional).
const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|[+-](\d{2}):(\d{2}))$/

/** Why `value` is not an ISO 8601 instant between `earliest` and `latest`, or undefined when it is. */
export function dateProblem(value: unknown, { earliest, latest }: Pick<StorageLimits, 'earliest' | 'latest'>): string | undefined {
  const match = typeof value === 'string' ? ISO_INSTANT.exec(value) : null
  if (match === null) return 'is not an ISO 8601 date and time with its zone, such as 2026-11-29T10:00:00.000Z'
  const [year, month, day, hour, minute, second, zoneHours = 0, zoneMinutes = 0] = match.slice(1).map((part) => Number(part ?? 0))
  // JavaScript turns 2026-02-30 into March 2 and 24:00 into the next day; PostgreSQL refuses the first.
  const lastDay = new Date(Date.UTC(year!, month!, 0)).getUTCDate()
  if (month! < 1 || month! > 12 || day! < 1 || day! > lastDay || hour! > 23 || minute! > 59 || second! > 59 || zoneHours > 23 || zoneMinutes > 59)
    return 'is not a date of the calendar'
  const at = Date.parse(value as string)
  if (!(at >= earliest.getTime() && at <= latest.getTime())) return `is not between ${earliest.toISOString()} and ${latest.toISOString()}`
  return undefined
}

/** The dates in an event's metadata that the server and its projections read. */
const DATE_KEYS = ['timestamp', 'validAt'] as const

const utf8Bytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value), 'utf8')

// An event's data is measured once per push (it is most of the event): by push() and by the append.
const dataBytes = new WeakMap<EventEnvelope, number>()

/** An event's data and metadata as the server will store them, in bytes of JSON (UTF-8). */
export function eventBytesOf(event: EventEnvelope, stamp: Stamp): number {
  let data = dataBytes.get(event)
  if (data === undefined) dataBytes.set(event, (data = utf8Bytes(event.data)))
  const metadata = { ...event.metadata, userId: stamp.userId, clientId: stamp.clientId, recordedAt: stamp.recordedAt.toISOString(), ...(stamp.spaceId === undefined ? {} : { spaceId: stamp.spaceId }) }
  return data + utf8Bytes(metadata)
}

/** Why the commit cannot be stored as it is (its `rejected: invalid` message), or undefined. */
export function commitProblem(commit: Commit, stamp: Stamp, limits: StorageLimits): string | undefined {
  const { stream, events } = commit
  if (!isStorableText(stream)) return 'The stream name holds a NUL character or a lone surrogate (half of a UTF-16 pair), which the server cannot store.'
  if (stream.length > limits.nameChars) return `The stream name is ${stream.length} characters long: at most ${limits.nameChars} are stored.`
  for (const [index, event] of events.entries()) {
    const which = `Event ${index + 1} of the commit`
    if (!isStorableText(event.type)) return `${which} has a type with a NUL character or a lone surrogate (half of a UTF-16 pair), which the server cannot store.`
    if (event.type.length > limits.nameChars) return `${which} has a type of ${event.type.length} characters: at most ${limits.nameChars} are stored.`
    for (const part of ['data', 'metadata'] as const) {
      const path = unstorablePath(event[part])
      if (path !== undefined) return `${which} (${event.type}) holds a NUL character or a lone surrogate (half of a UTF-16 pair) in ${part} at ${path}, which the server cannot store.`
    }
    for (const key of DATE_KEYS) {
      if (!(key in event.metadata)) continue
      const problem = dateProblem(event.metadata[key], limits)
      if (problem !== undefined) return `${which} (${event.type}) has a metadata.${key} that ${problem}.`
    }
    const bytes = eventBytesOf(event, stamp)
    if (bytes > limits.eventBytes) return `${which} (${event.type}) holds ${bytes} bytes of data and metadata: at most ${limits.eventBytes} are stored per event.`
  }
  return undefined
}

/** 413 `too_large`: `addedBytes` more would pass the account's quota (`stored`: what of the push was stored before). */
export function overQuota(storedBytes: number, addedBytes: number, limits: Pick<StorageLimits, 'accountBytes'>, stored: 'nothing' | 'some'): ProtocolError {
  const what =
    stored === 'nothing'
      ? `this push adds ${addedBytes}. Nothing of it was stored.`
      : `this commit adds ${addedBytes}. The commits of this push before it were stored; it and those after it were not.`
  return protocolError('too_large', `This account's storage is full: it holds ${storedBytes} bytes of events, at most ${limits.accountBytes} are kept, and ${what}`)
}

/** The bytes the account stores now (0 before its first push). */
export async function storedBytesOf(db: Queryable, userId: string): Promise<number> {
  const [row] = await db.query<{ stored_bytes: string | number }>('SELECT stored_bytes FROM partitions WHERE user_id = $1', [userId])
  return row === undefined ? 0 : Number(row.stored_bytes)
}

/**
 * Throws 413 `too_large` when `events` would take the account past its quota, before anything of
 * the push is stored. Events this account stored already add nothing (a retried push whose first
 * answer was lost is `duplicate`, full account or not): they are looked up only when the push
 * would not fit otherwise, so the usual push pays one small read.
 */
export async function refuseOverQuota(db: Queryable, userId: string, events: ReadonlyArray<{ id: string; bytes: number }>, limits: StorageLimits): Promise<void> {
  let adds = events.reduce((sum, event) => sum + event.bytes, 0)
  if (adds === 0) return
  const stored = await storedBytesOf(db, userId)
  if (stored + adds <= limits.accountBytes) return
  const rows = await db.query<{ event_id: string }>(
    'SELECT event_id::text AS event_id FROM events WHERE user_id = $1 AND event_id IN (SELECT jsonb_array_elements_text($2::text::jsonb)::uuid)',
    [userId, JSON.stringify(events.map((event) => event.id))],
  )
  const known = new Set(rows.map((row) => row.event_id))
  adds = events.reduce((sum, event) => (known.has(event.id) ? sum : sum + event.bytes), 0)
  if (stored + adds > limits.accountBytes) throw overQuota(stored, adds, limits, 'nothing')
}

/**
 * Each commit's reason it cannot be stored (its `rejected: invalid` message), or undefined for
 * one that can. Throws 413 `too_large` when those that can would take a partition past its quota:
 * the whole push is refused before anything of it is stored, so the client keeps all of it.
 * `targets`: each commit's partition and space (default the stamp's), null for one that goes nowhere.
 */
export async function storableProblems(
  db: Queryable,
  stamp: Stamp,
  commits: readonly Commit[],
  limits: StorageLimits,
  targets: ReadonlyArray<Pick<Stamp, 'partition' | 'spaceId'> | null> = commits.map(() => stamp),
): Promise<Array<string | undefined>> {
  const stampOf = (index: number): Stamp => ({ ...stamp, ...targets[index] })
  const problems = commits.map((commit, index) => commitProblem(commit, stampOf(index), limits))
  const sized = new Map<string, Array<{ id: string; bytes: number }>>()
  for (const [index, commit] of commits.entries()) {
    const target = targets[index]
    if (problems[index] !== undefined || target === null || target === undefined) continue
    const list = sized.get(target.partition) ?? []
    sized.set(target.partition, list)
    for (const event of commit.events) list.push({ id: event.eventId.toLowerCase(), bytes: eventBytesOf(event, stampOf(index)) })
  }
  for (const [partition, events] of sized) await refuseOverQuota(db, partition, events, limits)
  return problems
}
