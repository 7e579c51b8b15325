// Numbered migration files (server/db/migrations/NNN_name.sql), applied in order at start, each in
// its own transaction with its row in schema_migrations; an advisory lock keeps two server
// processes starting together from applying one twice.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Db } from './Db'

const MIGRATIONS = join(import.meta.dirname, 'migrations')
/** Any fixed number: the advisory lock all Kiroku servers on one database take while migrating. */
const LOCK = 4_201_701

export interface Migration {
  version: number
  name: string
  sql: string
}

export function migrations(dir = MIGRATIONS): Migration[] {
  return readdirSync(dir)
    .filter((file) => /^\d+_.+\.sql$/.test(file))
    .map((file) => ({ version: Number.parseInt(file, 10), name: file, sql: readFileSync(join(dir, file), 'utf8') }))
    .sort((a, b) => a.version - b.version)
}

/** Applies the migrations the database has not seen; resolves with the names applied now. */
export async function migrate(db: Db, list = migrations()): Promise<string[]> {
  return db.transaction(async (tx) => {
    // Held until this transaction ends: a second process waits here, then finds nothing to do.
    await tx.query('SELECT pg_advisory_xact_lock($1)', [LOCK])
    await tx.query('CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())')
    const done = new Set((await tx.query<{ version: number }>('SELECT version FROM schema_migrations')).map((row) => row.version))
    const applied: string[] = []
    for (const migration of list) {
      if (done.has(migration.version)) continue
      for (const statement of splitStatements(migration.sql)) await tx.query(statement)
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name])
      applied.push(migration.name)
    }
    return applied
  })
}

/** A migration file's statements (separated by `;` at a line's end; no procedural bodies here). */
function splitStatements(sql: string): string[] {
  return sql
    .split(/;\s*$/m)
    .map((statement) => statement.replace(/^\s*--.*$/gm, '').trim())
    .filter(Boolean)
}
