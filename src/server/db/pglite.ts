// Embedded PostgreSQL (PGlite) behind the Db port: one connection, statements one at a time.
import { PGlite } from '@electric-sql/pglite'
import type { Db, Queryable, Row } from './Db'

/** Opens PGlite in `dataDir` (a folder; created if missing), or in memory when it is undefined. */
export async function openPglite(dataDir?: string): Promise<Db> {
  const pg = dataDir === undefined ? new PGlite() : new PGlite(dataDir)
  await pg.waitReady
  const on = (target: { query: PGlite['query'] }): Queryable => ({
    async query<T extends Row>(sql: string, params: readonly unknown[] = []) {
      return (await target.query<T>(sql, [...params])).rows
    },
  })
  return {
    storage: 'pglite',
    ...on(pg),
    transaction: (fn) => pg.transaction((tx) => fn(on(tx))),
    async listen(channel, listener) {
      const off = await pg.listen(channel, listener)
      return () => off()
    },
    async notify(channel, payload) {
      await pg.query('SELECT pg_notify($1, $2)', [channel, payload])
    },
    close: () => pg.close(),
  }
}
