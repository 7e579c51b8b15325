// Both database engines behind the Db port, for `describe.each(engines())`: embedded PGlite (in
// memory) and a real PostgreSQL cluster started for the test file. Each open gives a fresh, empty
// database: on PostgreSQL a new database in the file's cluster; on PGlite the file's one instance
// with its public schema dropped and made again (a new in-memory PGlite takes seconds to initdb).
import { afterAll, beforeAll } from 'vitest'
import type { Db } from '../../../src/server/db/Db'
import { migrate } from './shopMigrate'
import { openPglite } from '../../../src/server/db/pglite'
import { openPostgres } from '../../../src/server/db/postgres'
import { startPostgres, type PostgresCluster } from './postgres'

export interface Engine {
  name: 'pglite' | 'postgres'
  /**
   * A fresh database, migrated unless `migrated: false`; closed after the file's tests (don't
   * close it yourself). On PGlite it is the file's one instance: the previous open's is gone.
   */
  open(options?: { migrated?: boolean }): Promise<Db>
}

let cluster: PostgresCluster | null = null
let admin: Db | null = null
let pglite: Db | null = null
let databases = 0
const opened: Db[] = []

/**
 * The engines, once the hooks are in place: call it at the top of a test file. The file's
 * PostgreSQL cluster starts before its tests and stops (with every Db opened here) after them.
 */
export function engines(): Engine[] {
  beforeAll(async () => {
    const [started, embedded] = await Promise.all([startPostgres(), openPglite()])
    cluster = started
    pglite = track(embedded)
    admin = await openPostgres(cluster.url, { max: 1 })
  }, 120_000)
  afterAll(async () => {
    await Promise.all(opened.splice(0).map((db) => db.close()))
    await admin?.close()
    await cluster?.stop()
    admin = cluster = pglite = null
  }, 60_000)
  return [
    { name: 'pglite', open: (options) => ready(emptyPglite(), options) },
    { name: 'postgres', open: async (options) => ready(openPostgres(await postgresDatabase()).then(track), options) },
  ]
}

/** The URL of a new, empty (unmigrated) database in the file's cluster, for tests that need several handles on one. */
export async function postgresDatabase(): Promise<string> {
  if (!cluster || !admin) throw new Error('No PostgreSQL cluster: call engines() at the top of the test file')
  const name = `kiroku_test_${++databases}`
  // A name made here from a counter, never from input: CREATE DATABASE takes no parameters.
  await admin.query(`CREATE DATABASE ${name}`)
  const url = new URL(cluster.url)
  url.pathname = `/${name}`
  return url.toString()
}

/** Keeps a Db this helper opened, so the file's afterAll closes it. */
export function track(db: Db): Db {
  opened.push(db)
  return db
}

async function emptyPglite(): Promise<Db> {
  if (!pglite) throw new Error('No PGlite: call engines() at the top of the test file')
  // Everything 001 makes (schema_migrations too) lives in the public schema.
  await pglite.query('DROP SCHEMA public CASCADE')
  await pglite.query('CREATE SCHEMA public')
  return pglite
}

async function ready(opening: Promise<Db>, { migrated = true } = {}): Promise<Db> {
  const db = await opening
  if (migrated) await migrate(db)
  return db
}
