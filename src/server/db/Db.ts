// The one database port of the sync server. Two adapters implement it — embedded PGlite
// (src/server/db/pglite.ts) and a node-postgres pool (src/server/db/postgres.ts) — and everything above it
// is the same code and the same SQL. SQL is always parameterised ($1, $2, …), never concatenated.

export type Row = Record<string, unknown>

export interface Queryable {
  /** Runs one statement; resolves with its rows (none for a statement that returns none). */
  query<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>
}

export interface Db extends Queryable {
  /** 'pglite' (embedded) or 'postgres' (a real cluster through a pool). */
  readonly storage: 'pglite' | 'postgres'
  /**
   * Runs fn in one transaction on one connection: it commits when fn resolves and rolls back when
   * it throws. Statements inside go through `tx`, not through the Db.
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>
  /** Calls `listener` with each NOTIFY payload on `channel`, from any process on the database. */
  listen(channel: string, listener: (payload: string) => void): Promise<() => Promise<void>>
  /** Sends a NOTIFY (delivered when the surrounding transaction commits, if any: use tx.query for that). */
  notify(channel: string, payload: string): Promise<void>
  close(): Promise<void>
}
