// Embedded PostgreSQL (PGlite) behind the Db port: one connection, statements one at a time,
// taken in turns fair between accounts (./fairGate).
import { PGlite } from '@electric-sql/pglite'
import type { Db, Queryable, Row } from './Db'
import { FairGate, type FairGateOptions } from './fairGate'

export interface PgliteOptions {
  /** The turns' settings (./fairGate); its one slot is PGlite's one connection. */
  fairness?: Omit<FairGateOptions, 'slots'>
}

/** Opens PGlite in `dataDir` (a folder; created if missing), or in memory when it is undefined. */
export async function openPglite(dataDir?: string, options: PgliteOptions = {}): Promise<Db> {
  const pg = dataDir === undefined ? new PGlite() : new PGlite(dataDir)
  await pg.waitReady
  const gate = new FairGate({ ...options.fairness, slots: 1 })
  const on = (target: { query: PGlite['query'] }): Queryable => ({
    async query<T extends Row>(sql: string, params: readonly unknown[] = []) {
      return (await target.query<T>(sql, [...params])).rows
    },
  })
  return {
    storage: 'pglite',
    query: (sql, params) => gate.run(() => on(pg).query(sql, params)),
    transaction: (fn) => gate.run(() => pg.transaction((tx) => fn(on(tx)))),
    async listen(channel, listener) {
      const off = await pg.listen(channel, listener)
      return () => off()
    },
    async notify(channel, payload) {
      await gate.run(() => pg.query('SELECT pg_notify($1, $2)', [channel, payload]))
    },
    close: () => pg.close(),
  }
}
