// Push: the use case behind `POST /api/sync/push`. Each commit is checked and stored atomically in
// its own transaction, in order; a commit after a failed one to the same stream is `blocked`.
import type { Db, Queryable } from '../db/Db'
import { membershipOf } from '../spaces'
import { accountOf, type Account } from './account'
import { appendToStream } from './append'
import type { CheckedEvent, Rules } from './appRules'
import { type Commit, parsePushBody } from './envelope'
import { type CommitResult, type PushResult, rejected } from './results'
import { storableProblems, storageLimitsOf, type StorageLimits } from './storable'

type DomainEvent = CheckedEvent

export interface PushOptions {
  /** The app's rules: the event types accepted (their definitions) and what each stream category allows. */
  rules: Rules
  now?: () => Date
  /** What one event and one account may hold, and the dates accepted. */
  limits?: Partial<StorageLimits>
}

/**
 * Checks and stores `body`'s commits for the account (a user id: its own partition's); throws an
 * `invalid` ProtocolError for a malformed envelope, in which case nothing is stored. A commit that
 * names a `space` goes to that space's partition, when the account may write there (an owner or
 * an editor of it); else it is `rejected: forbidden`, whether the space exists or not.
 */
export async function push(db: Db, writer: string | Account, body: unknown, options: PushOptions): Promise<PushResult> {
  const { clientId, commits } = parsePushBody(body)
  const account = accountOf(writer)
  const context: Context = { account, clientId, rules: options.rules, now: options.now ?? (() => new Date()), known: knownStreamsOf(db), limits: storageLimitsOf(options.limits) }
  const targets = await targetsOf(db, account, commits)
  // What PostgreSQL cannot hold is its commit's `rejected: invalid`, judged before any statement
  // sees it; the rest must fit each space's quota, or the whole push is refused (413).
  const problems = await storableProblems(
    db,
    { partition: account.partition, userId: account.id, clientId, recordedAt: context.now() },
    commits,
    context.limits,
    targets,
  )
  const failedStreams = new Set<string>()
  const results: CommitResult[] = []
  // The personal head as the last commit to it left it (read under the partition's lock); a push
  // with no such commit reads it afterwards.
  let head: number | undefined
  for (const [index, commit] of commits.entries()) {
    let result: CommitResult = { status: 'blocked' }
    const problem = problems[index]
    const target = targets[index] as Target | null
    if (failedStreams.has(commit.stream)) result = { status: 'blocked' }
    else if (target === null) result = rejected('forbidden', notYours(commit.stream))
    else if (problem !== undefined) result = rejected('invalid', problem)
    else {
      const pushed = await db.transaction((tx) => pushCommit(tx, context, commit, target))
      result = pushed.result
      if (target.spaceId === undefined) head = pushed.head
      // Committed: the stream's events as they now are, for the next commit's check.
      if (pushed.stored !== undefined) context.known.set(commit.stream, pushed.stored)
    }
    if (result.status !== 'accepted' && result.status !== 'duplicate') failedStreams.add(commit.stream)
    results.push(result)
  }
  return { results, head: head ?? (await headOf(db, account.partition)) }
}

/** Where a commit goes: its space's partition (`spaceId` for a shared space, which its events' metadata names). */
interface Target {
  partition: string
  spaceId?: string
}

/** Each commit's target, or null for a space the account may not write (not a member, a viewer, or no such space). */
async function targetsOf(db: Db, account: Account, commits: readonly Commit[]): Promise<Array<Target | null>> {
  const bySpace = new Map<string, Promise<Target | null>>()
  const targetOf = async (space: string): Promise<Target | null> => {
    const membership = await membershipOf(db, account.partition, space)
    if (membership === null || membership.role === 'viewer') return null
    return membership.personal ? { partition: membership.partition } : { partition: membership.partition, spaceId: membership.spaceId }
  }
  return Promise.all(
    commits.map((commit) => {
      if (commit.space === undefined) return { partition: account.partition }
      let target = bySpace.get(commit.space)
      if (target === undefined) bySpace.set(commit.space, (target = targetOf(commit.space)))
      return target
    }),
  )
}

/** The partition's last position (0 before its first event). */
export async function headOf(db: Queryable, partition: string): Promise<number> {
  const [row] = await db.query<{ head: string | number }>('SELECT head FROM partitions WHERE user_id = $1', [partition])
  return row === undefined ? 0 : Number(row.head)
}

interface Context {
  account: Account
  clientId: string
  rules: Rules
  now: () => Date
  known: KnownStreams
  limits: StorageLimits
}

/** A stream's stored events as this process last saw them committed: positions 0…version, the last with id `lastId`. */
interface KnownStream {
  version: number
  lastId: string
  events: DomainEvent[]
}

/**
 * The stored events of the streams this process pushed to lately, per database, so that a commit
 * reads only the events stored after them for the domain's check, not the whole stream each time.
 * Stored events never change, so what was committed at positions 0…version stays true; the read
 * also fetches the id at `version` and reads the whole stream when it is not `lastId` (a database
 * made anew under the same handle). Bounded: the least recently used streams go first.
 */
class KnownStreams {
  private readonly streams = new Map<string, KnownStream>()
  constructor(private readonly max = 5_000) {}

  get(stream: string): KnownStream | undefined {
    const known = this.streams.get(stream)
    if (known !== undefined) {
      this.streams.delete(stream)
      this.streams.set(stream, known)
    }
    return known
  }

  set(stream: string, known: KnownStream): void {
    this.streams.delete(stream)
    this.streams.set(stream, known)
    if (this.streams.size > this.max) this.streams.delete(this.streams.keys().next().value as string)
  }

  forget(stream: string): void {
    this.streams.delete(stream)
  }
}

const knownByDb = new WeakMap<Db, KnownStreams>()
const knownStreamsOf = (db: Db): KnownStreams => {
  let known = knownByDb.get(db)
  if (known === undefined) knownByDb.set(db, (known = new KnownStreams()))
  return known
}

/** Locks the partition (made by its first push) and resolves with its head. Every write of the
 * partition and its streams holds this lock: head and its streams' versions hold still. */
async function lockPartition(tx: Queryable, partition: string): Promise<number> {
  const lock = () => tx.query<{ head: string | number }>('SELECT head FROM partitions WHERE user_id = $1 FOR UPDATE', [partition])
  let [row] = await lock()
  if (row === undefined) {
    await tx.query('INSERT INTO partitions (user_id) VALUES ($1) ON CONFLICT (user_id) DO NOTHING', [partition])
    ;[row] = await lock()
  }
  return Number(row!.head)
}

type StateRow = {
  owner: string | null
  version: string | number | null
  duplicates: Array<{ event_id: string; stream: string; stream_position: number }>
  stored: DomainEvent[] | null
  known_id: string | null
}

// What a commit is judged on, in one statement read after the partition's lock is held (so it
// sees every commit of this user that came before): the stream's owner and version, this user's
// stored events that carry any of the commit's ids (event ids are unique per user: another
// user's are none of this push's business), and, when the domain checks the stream, its stored
// events in order after position $4 (those up to it are known: KnownStreams) with the id at $4.
// A stream made by another user meanwhile is caught by the append itself.
const COMMIT_STATE = `
  SELECT s.user_id::text AS owner, s.version,
         (SELECT coalesce(json_agg(json_build_object('event_id', d.event_id::text, 'stream', d.stream, 'stream_position', d.stream_position)), '[]')
            FROM events d WHERE d.user_id = $5::bigint AND d.event_id IN (SELECT jsonb_array_elements_text($2::text::jsonb)::uuid)) AS duplicates,
         CASE WHEN $3::boolean THEN
           (SELECT coalesce(json_agg(json_build_object('type', e.type, 'data', e.data) ORDER BY e.stream_position), '[]')
              FROM events e WHERE e.stream = $1::text AND e.stream_position > $4::bigint)
         END AS stored,
         CASE WHEN $3::boolean AND $4::bigint >= 0 THEN
           (SELECT k.event_id::text FROM events k WHERE k.stream = $1::text AND k.stream_position = $4::bigint)
         END AS known_id
    FROM (VALUES (1)) AS one LEFT JOIN streams s ON s.stream = $1::text`

async function pushCommit(tx: Queryable, context: Context, commit: Commit, target: Target): Promise<{ result: CommitResult; head: number; stored?: KnownStream }> {
  const { account, known, rules } = context
  const { partition, spaceId } = target
  const { stream, events } = commit
  const head = await lockPartition(tx, partition)
  const done = (result: CommitResult) => ({ result, head })

  // A stream named after a user is that user's alone, stored or not: decided before anything is
  // read, so the answer tells nothing of it, and no name is taken before its owner comes.
  const namedOwner = rules.ownerNamedBy(stream)
  if (namedOwner !== undefined && namedOwner !== account.id) return done(rejected('forbidden', notYours(stream)))

  const ids = events.map((event) => event.eventId.toLowerCase())
  const governed = rules.governs(stream, events)
  const cached = governed ? known.get(stream) : undefined
  const [state] = await tx.query<StateRow>(COMMIT_STATE, [stream, JSON.stringify(ids), governed, cached?.version ?? -1, partition])
  const { owner, duplicates } = state!
  let stored = state!.stored ?? []
  if (cached !== undefined) {
    // The known events are still the stored ones when the id at their last position is the same.
    if (state!.known_id === cached.lastId) stored = [...cached.events, ...stored]
    else {
      known.forget(stream)
      stored = await storedEventsOf(tx, stream)
    }
  }
  // Ownership before anything else: another user's stream reveals nothing, not even duplicates.
  if (owner !== null && owner !== partition) return done(rejected('forbidden', notYours(stream)))

  if (new Set(ids).size !== ids.length) return done(rejected('duplicate_event', 'The commit names one event id more than once.'))
  const duplicate = duplicateOf(stream, ids, duplicates)
  if (duplicate !== undefined) return done(duplicate)

  for (const event of events) {
    const definition = rules.definitions.get(event.type)
    if (definition === undefined) return done(rejected('unknown_type', `The event type ${event.type} is unknown.`))
    try {
      definition.parse(event.data, event.eventId)
    } catch (error) {
      return done(rejected('invalid', error instanceof Error ? error.message : `The data of ${event.type} is invalid.`))
    }
  }

  const version = owner === null ? -1 : Number(state!.version)
  const expected = commit.expectedVersion
  const fits = expected === 'any' || (expected === 'none' ? version === -1 : expected === version)
  if (!fits) return done({ status: 'conflict', stream, expected, actual: version })

  // The domain's own rules, on the stream's stored events then the new ones (as the browser checks them).
  const refusal = governed ? await domainRefusal(tx, rules, partition, stream, stored, events) : undefined
  if (refusal !== undefined) return done(rejected('invalid', refusal))

  const appended = await appendToStream(tx, { partition, spaceId, userId: account.id, clientId: context.clientId, stream, version, exists: owner !== null, events, recordedAt: context.now(), limits: context.limits })
  if (appended === null) return done(rejected('forbidden', notYours(stream)))
  // What the stream holds once this commits (push() keeps it only then).
  const after: KnownStream | undefined =
    !governed ? undefined : { version: version + events.length, lastId: ids.at(-1)!, events: [...stored, ...events.map(({ type, data }) => ({ type, data }))] }
  return { result: { status: 'accepted', ...appended }, head: appended.head, stored: after }
}

/** The answer for a stream this user may not write, whoever holds it or whether anybody does: it says nothing about them. */
const notYours = (stream: string): string => `This account may not write to the stream ${stream}.`

const storedEventsOf = (tx: Queryable, stream: string): Promise<DomainEvent[]> =>
  tx.query<{ type: string; data: unknown }>('SELECT type, data FROM events WHERE stream = $1 ORDER BY stream_position', [stream])

/** Why the app's rules refuse the commit's events (the refusal's message), or undefined when they take them. */
async function domainRefusal(tx: Queryable, rules: Rules, partition: string, stream: string, stored: readonly DomainEvent[], events: readonly DomainEvent[]): Promise<string | undefined> {
  // The other streams the rules read (say, the stream another one was made from), of this
  // partition only: another partition's stream is as missing as one nobody wrote, and a rule
  // fails when what it needs is missing.
  const streams = new Map<string, DomainEvent[]>()
  for (const other of rules.reads(stream, events)) {
    const otherEvents = await tx.query<{ type: string; data: unknown }>('SELECT type, data FROM events WHERE user_id = $1 AND stream = $2 ORDER BY stream_position', [partition, other])
    if (otherEvents.length > 0) streams.set(other, otherEvents)
  }
  try {
    rules.check(stream, stored, events, { streams })
    return undefined
  } catch (error) {
    // A refusal is the commit's `rejected: invalid`; anything else is a fault of the app's rules (a 500).
    if (rules.isRefusal(error)) return error instanceof Error ? error.message : String(error)
    throw error
  }
}

/** `duplicate` when every id is already stored in this stream at consecutive positions (a retry),
 * `duplicate_event` when only some are, or elsewhere; undefined when none is stored. */
function duplicateOf(stream: string, ids: readonly string[], rows: StateRow['duplicates']): CommitResult | undefined {
  if (rows.length === 0) return undefined
  const stored = new Map(rows.map((row) => [row.event_id, row]))
  const positions = ids.map((id) => stored.get(id)).map((row) => (row?.stream === stream ? Number(row.stream_position) : Number.NaN))
  const retry = positions.every((position, index) => position === positions[0]! + index)
  return retry
    ? { status: 'duplicate', positions }
    : rejected('duplicate_event', 'Some events of the commit are already stored and some are not, or they are stored in another stream.')
}
