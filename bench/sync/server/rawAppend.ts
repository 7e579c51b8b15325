// The push bench's baseline: the rows the server stores for an accepted cart commit, written by
// hand-written SQL the way a careful app would, straight into the same schema (the server's
// migrations, so the same unique indexes check the same things): in one transaction lock the
// user's partition and bump its head, check the stream's owner and version, move the stream's
// version, insert the events with their unique ids and their stream and partition positions.
// No HTTP, no session, no envelope or domain checks, no notification.
import type { PGlite } from '@electric-sql/pglite'
import type pg from 'pg'
import type { CommitResult, PushCommit } from '../../../src/sync/protocol'

interface Tx {
  query(sql: string, params?: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }>
}

/** One transaction on one connection: a `pg` pool's client, or PGlite's only one. */
export type RawTransaction = <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>

export function poolTransaction(pool: pg.Pool): RawTransaction {
  return async (fn) => {
    const client = await pool.connect()
    try {
      await client.query('BEGIN')
      const result = await fn(client)
      await client.query('COMMIT')
      return result
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined)
      throw error
    } finally {
      client.release()
    }
  }
}

export const pgliteTransaction =
  (db: PGlite): RawTransaction =>
  (fn) =>
    db.transaction((tx) => fn(tx))

class Conflict extends Error {
  constructor(readonly actual: number) {
    super('conflict')
  }
}

/** Appends `commit` for `userId` (whose partitions row exists); resolves as the server would answer. */
export async function rawAppend(transaction: RawTransaction, userId: string, clientId: string, commit: PushCommit): Promise<CommitResult> {
  const { stream, events } = commit
  try {
    return await transaction(async (tx) => {
      const { rows: heads } = await tx.query('UPDATE partitions SET head = head + $2 WHERE user_id = $1 RETURNING head', [userId, events.length])
      const head = Number(heads[0]!.head)
      const { rows: streams } = await tx.query('SELECT user_id, version FROM streams WHERE stream = $1 FOR UPDATE', [stream])
      const row = streams[0]
      if (row !== undefined && String(row.user_id) !== userId) throw new Error(`${stream} belongs to another user`)
      const version = row === undefined ? -1 : Number(row.version)
      if (commit.expectedVersion !== version) throw new Conflict(version)
      const newVersion = version + events.length
      if (row === undefined) await tx.query('INSERT INTO streams (stream, user_id, version) VALUES ($1, $2, $3)', [stream, userId, newVersion])
      else await tx.query('UPDATE streams SET version = $2 WHERE stream = $1', [stream, newVersion])
      const recordedAt = new Date().toISOString()
      const params: unknown[] = []
      const values = events.map((event, index) => {
        const metadata = { ...event.metadata, userId, clientId, recordedAt }
        params.push(userId, head - events.length + 1 + index, stream, version + 1 + index, event.eventId, event.type, JSON.stringify(event.data), JSON.stringify(metadata), clientId, recordedAt)
        const at = index * 10
        return `($${at + 1}, $${at + 2}, $${at + 3}, $${at + 4}, $${at + 5}, $${at + 6}, $${at + 7}::jsonb, $${at + 8}::jsonb, $${at + 9}, $${at + 10})`
      })
      await tx.query(
        `INSERT INTO events (user_id, partition_position, stream, stream_position, event_id, type, data, metadata, client_id, recorded_at) VALUES ${values.join(', ')}`,
        params,
      )
      return { status: 'accepted', positions: events.map((_, index) => version + 1 + index), head } as const
    })
  } catch (error) {
    if (error instanceof Conflict) return { status: 'conflict', stream, expected: commit.expectedVersion, actual: error.actual }
    throw error
  }
}
