// The server's numbered migration files (./migrations/NNN_name.sql), then the app's own (its
// server projections' tables), applied in order at start, in one transaction with a row each in
// schema_migrations (the server's, by number) or app_migrations (the app's, by name); an advisory
// lock keeps two server processes starting together from applying one twice.
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

/** One of an app's migrations: a unique name, and SQL statements separated by `;` at a line's end. */
export interface AppMigration {
  name: string
  sql: string
}

export function migrations(dir = MIGRATIONS): Migration[] {
  return readdirSync(dir)
    .filter((file) => /^\d+_.+\.sql$/.test(file))
    .map((file) => ({ version: Number.parseInt(file, 10), name: file, sql: readFileSync(join(dir, file), 'utf8') }))
    .sort((a, b) => a.version - b.version)
}

/** Applies the migrations the database has not seen, the server's then the app's; resolves with the names applied now. */
export async function migrate(db: Db, list = migrations(), app: readonly AppMigration[] = []): Promise<string[]> {
  const names = new Set<string>()
  for (const { name } of app) {
    if (typeof name !== 'string' || name.length === 0 || names.has(name)) throw new Error(`Each app migration needs a name of its own: ${JSON.stringify(name)} is ${names.has(name) ? 'given twice' : 'not one'}.`)
    names.add(name)
  }
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
    if (app.length === 0) return applied
    await tx.query('CREATE TABLE IF NOT EXISTS app_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())')
    const appDone = new Set((await tx.query<{ name: string }>('SELECT name FROM app_migrations')).map((row) => row.name))
    for (const migration of app) {
      if (appDone.has(migration.name)) continue
      for (const statement of splitStatements(migration.sql)) await tx.query(statement)
      await tx.query('INSERT INTO app_migrations (name) VALUES ($1)', [migration.name])
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
