// Push: the use case behind `POST /api/sync/push`. Each commit is checked and stored atomically in
// its own transaction, in order; a commit after a failed one to the same stream is `blocked`.
import { checkStreamEvents, type DomainEvent, streamTypeOf } from '../../src/domain/checkEvents'
import { DomainError } from '../../src/domain/DomainError'
import { EventStoreError } from '../../src/eventstore/errors'
import type { Db, Queryable } from '../db/Db'
import { appendToStream } from './append'
import { type Commit, parsePushBody } from './envelope'
import { domainEventDefinitions, type EventDefinitions } from './eventDefinitions'
import { type CommitResult, type PushResult, rejected } from './results'

export interface PushOptions {
  /** The event types accepted, by type (default: the domain's). */
  definitions?: EventDefinitions
  now?: () => Date
}

/** Checks and stores `body`'s commits for `userId`; throws an `invalid` ProtocolError for a malformed
 * envelope, in which case nothing is stored. */
export async function push(db: Db, userId: string, body: unknown, options: PushOptions = {}): Promise<PushResult> {
  const { clientId, commits } = parsePushBody(body)
  const context = { userId, clientId, definitions: options.definitions ?? domainEventDefinitions, now: options.now ?? (() => new Date()) }
  const failedStreams = new Set<string>()
  const results: CommitResult[] = []
  for (const commit of commits) {
    const result: CommitResult = failedStreams.has(commit.stream) ? { status: 'blocked' } : await db.transaction((tx) => pushCommit(tx, context, commit))
    if (result.status !== 'accepted' && result.status !== 'duplicate') failedStreams.add(commit.stream)
    results.push(result)
  }
  return { results, head: await headOf(db, userId) }
}

/** The user's last partition position (0 before their first event). */
export async function headOf(db: Queryable, userId: string): Promise<number> {
  const [row] = await db.query<{ head: string | number }>('SELECT head FROM partitions WHERE user_id = $1', [userId])
  return row === undefined ? 0 : Number(row.head)
}

interface Context {
  userId: string
  clientId: string
  definitions: EventDefinitions
  now: () => Date
}

async function pushCommit(tx: Queryable, context: Context, commit: Commit): Promise<CommitResult> {
  const { userId } = context
  const { stream, events } = commit
  // Serialises this user's writers (and only theirs): head and their streams' versions hold still.
  await tx.query('INSERT INTO partitions (user_id) VALUES ($1) ON CONFLICT (user_id) DO NOTHING', [userId])
  await tx.query('SELECT head FROM partitions WHERE user_id = $1 FOR UPDATE', [userId])

  const [owner] = await tx.query<{ user_id: string | number; version: string | number }>('SELECT user_id, version FROM streams WHERE stream = $1 FOR UPDATE', [stream])
  // Ownership before anything else: another user's stream reveals nothing, not even duplicates.
  if (owner !== undefined && String(owner.user_id) !== userId) return rejected('forbidden', `The stream ${stream} belongs to another account.`)

  const ids = events.map((event) => event.eventId.toLowerCase())
  if (new Set(ids).size !== ids.length) return rejected('duplicate_event', 'The commit names one event id more than once.')
  const duplicate = await duplicateOf(tx, stream, ids)
  if (duplicate !== undefined) return duplicate

  for (const event of events) {
    const definition = context.definitions.get(event.type)
    if (definition === undefined) return rejected('unknown_type', `The event type ${event.type} is unknown.`)
    try {
      definition.parse(event.data, event.eventId)
    } catch (error) {
      return rejected('invalid', error instanceof Error ? error.message : `The data of ${event.type} is invalid.`)
    }
  }

  const version = owner === undefined ? -1 : Number(owner.version)
  const expected = commit.expectedVersion
  const fits = expected === 'any' || (expected === 'none' ? version === -1 : expected === version)
  if (!fits) return { status: 'conflict', stream, expected, actual: version }

  // The domain's own rules, on the stream's stored events then the new ones (as the browser checks them).
  const refusal = await domainRefusal(tx, userId, stream, events)
  if (refusal !== undefined) return rejected('invalid', refusal)

  const appended = await appendToStream(tx, { userId, clientId: context.clientId, stream, version, exists: owner !== undefined, events, recordedAt: context.now() })
  if (appended === null) return rejected('forbidden', `The stream ${stream} belongs to another account.`)
  return { status: 'accepted', ...appended }
}

const storedEventsOf = (tx: Queryable, stream: string): Promise<DomainEvent[]> =>
  tx.query<{ type: string; data: unknown }>('SELECT type, data, metadata FROM events WHERE stream = $1 ORDER BY stream_position', [stream])

/** Why the domain refuses the commit's events (a DomainError's message), or undefined when it takes them. */
async function domainRefusal(tx: Queryable, userId: string, stream: string, events: readonly DomainEvent[]): Promise<string | undefined> {
  const type = streamTypeOf(stream, events)
  if (type === undefined) return undefined
  const stored = await storedEventsOf(tx, stream)
  // An order is checked against the cart it was checked out from when this user's cart stream is stored.
  const carts = new Map<string, DomainEvent[]>()
  if (type === 'Order') {
    for (const event of events) {
      const cartId = (event.data as { cartId?: unknown } | null)?.cartId
      if (event.type !== 'Order.Placed' || typeof cartId !== 'string' || carts.has(cartId)) continue
      const [cart] = await tx.query<{ user_id: string | number }>('SELECT user_id FROM streams WHERE stream = $1', [`Cart$${cartId}`])
      if (cart !== undefined && String(cart.user_id) === userId) carts.set(cartId, await storedEventsOf(tx, `Cart$${cartId}`))
    }
  }
  try {
    checkStreamEvents(stream, stored, events, { carts })
    return undefined
  } catch (error) {
    if (error instanceof DomainError || error instanceof EventStoreError) return error.message
    throw error
  }
}

/** `duplicate` when every id is already stored in this stream at consecutive positions (a retry),
 * `duplicate_event` when only some are, or elsewhere; undefined when none is stored. */
async function duplicateOf(tx: Queryable, stream: string, ids: readonly string[]): Promise<CommitResult | undefined> {
  const rows = await tx.query<{ event_id: string; stream: string; stream_position: string | number }>(
    `SELECT event_id::text AS event_id, stream, stream_position FROM events
     WHERE event_id IN (SELECT jsonb_array_elements_text($1::text::jsonb)::uuid)`,
    [JSON.stringify(ids)],
  )
  if (rows.length === 0) return undefined
  const stored = new Map(rows.map((row) => [row.event_id, row]))
  const positions = ids.map((id) => stored.get(id)).map((row) => (row?.stream === stream ? Number(row.stream_position) : Number.NaN))
  const retry = positions.every((position, index) => position === positions[0]! + index)
  return retry
    ? { status: 'duplicate', positions }
    : rejected('duplicate_event', 'Some events of the commit are already stored and some are not, or they are stored in another stream.')
}
