// A Db that explains every statement it is sent: `EXPLAIN (ANALYZE, BUFFERS)` of the very SQL and
// parameters the server's code sends, then the statement itself. Inside a transaction the
// explained run is undone by a savepoint (it executes: an INSERT would be stored twice), so the
// code under it sees only its own statement's effect.
import type { Db, Queryable, Row } from '../../../src/server/db/Db'

export interface Plan {
  sql: string
  params: readonly unknown[]
  plan: string
}

const explain = async (target: Queryable, sql: string, params: readonly unknown[]): Promise<string> =>
  (await target.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params)).map((row) => row['QUERY PLAN']).join('\n')

export function explaining(db: Db, plans: Plan[]): Db {
  return {
    ...db,
    storage: db.storage,
    async query<T extends Row>(sql: string, params: readonly unknown[] = []) {
      plans.push({ sql, params, plan: await explain(db, sql, params) })
      return db.query<T>(sql, params)
    },
    transaction: (fn) =>
      db.transaction((tx) =>
        fn({
          async query<T extends Row>(sql: string, params: readonly unknown[] = []) {
            await tx.query('SAVEPOINT explained')
            plans.push({ sql, params, plan: await explain(tx, sql, params) })
            await tx.query('ROLLBACK TO SAVEPOINT explained')
            return tx.query<T>(sql, params)
          },
        }),
      ),
  }
}

/** The tables a plan reads by a sequential scan (the ones named in `Seq Scan on <table>`). */
export const seqScans = (plan: string): string[] => [...plan.matchAll(/Seq Scan on (\w+)/g)].map((match) => match[1]!)

/** The indexes a plan uses. */
export const indexesUsed = (plan: string): string[] =>
  [...new Set([...plan.matchAll(/Index (?:Only )?Scan (?:Backward )?using (\w+)|Bitmap Index Scan on (\w+)/g)].map((match) => (match[1] ?? match[2])!))]
