// Databases for the server benches' baselines and their checks: the server's schema in a second
// database of the section's cluster, or in a raw PGlite folder; bench accounts inserted straight
// into it; and the exactly-once count of what a run stored.
import { PGlite } from '@electric-sql/pglite'
import pg from 'pg'
import { migrations } from '../../../test/server/support/shopMigrate'

/** `url` with another database name. */
export function databaseUrl(url: string, database: string): string {
  const parsed = new URL(url)
  parsed.pathname = `/${database}`
  return parsed.href
}

/** Creates `database` in the cluster at `url` with the server's schema (its migrations, in order). */
export async function createSchemaDatabase(url: string, database: string): Promise<string> {
  const admin = new pg.Client({ connectionString: url })
  await admin.connect()
  try {
    await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}`)
  } finally {
    await admin.end()
  }
  const target = databaseUrl(url, database)
  const client = new pg.Client({ connectionString: target })
  await client.connect()
  try {
    for (const migration of migrations()) await client.query(migration.sql)
  } finally {
    await client.end()
  }
  return target
}

/** A raw PGlite in `dir` with the server's schema. */
export async function openSchemaPglite(dir: string): Promise<PGlite> {
  const db = new PGlite(dir)
  await db.waitReady
  for (const migration of migrations()) await db.exec(migration.sql)
  return db
}

interface Runs {
  query(sql: string, params?: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }>
}

/** Inserts `count` accounts (users and partitions rows, as a signup and a first push leave them); resolves with their ids. */
export async function insertAccounts(db: Runs, prefix: string, count: number): Promise<string[]> {
  const { rows } = await db.query(
    `WITH made AS (
       INSERT INTO users (email, password_hash)
       SELECT $1 || i || '@bench.example', 'not a hash' FROM generate_series(1, $2::int) AS i
       RETURNING id)
     INSERT INTO partitions (user_id) SELECT id FROM made RETURNING user_id::text AS id`,
    [prefix, count],
  )
  return rows.map((row) => String(row.id))
}

export interface StoredCount {
  events: number
  distinctIds: number
  /** Partitions whose head is not their event count, or whose positions are not 1…head. */
  badPartitions: number
  /** Streams whose version is not their last position, or whose positions are not 0…version. */
  badStreams: number
}

/** What is stored: every event once, positions gapless per partition and per stream. */
export async function countStored(db: Runs): Promise<StoredCount> {
  const { rows } = await db.query(`
    SELECT (SELECT count(*) FROM events)::int AS events,
           (SELECT count(DISTINCT event_id) FROM events)::int AS distinct_ids,
           (SELECT count(*) FROM partitions p
              LEFT JOIN (SELECT user_id, count(*) AS n, min(partition_position) AS lo, max(partition_position) AS hi FROM events GROUP BY user_id) e USING (user_id)
             WHERE p.head <> coalesce(e.n, 0) OR (e.n > 0 AND (e.lo <> 1 OR e.hi <> e.n)))::int AS bad_partitions,
           (SELECT count(*) FROM streams s
              LEFT JOIN (SELECT stream, count(*) AS n, min(stream_position) AS lo, max(stream_position) AS hi FROM events GROUP BY stream) e USING (stream)
             WHERE s.version <> coalesce(e.n, 0) - 1 OR (e.n > 0 AND (e.lo <> 0 OR e.hi <> e.n - 1)))::int AS bad_streams`)
  const row = rows[0]!
  return { events: Number(row.events), distinctIds: Number(row.distinct_ids), badPartitions: Number(row.bad_partitions), badStreams: Number(row.bad_streams) }
}

/** Throws unless exactly `expected` events are stored, each once, with gapless positions. */
export function assertExactlyOnce(what: string, count: StoredCount, expected: number): void {
  if (count.events !== expected || count.distinctIds !== expected || count.badPartitions !== 0 || count.badStreams !== 0) {
    throw new Error(`${what}: ${expected} events accepted, stored ${JSON.stringify(count)}`)
  }
}
