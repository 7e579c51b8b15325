// The `session` table: where the shop kept which cart was current before that became the
// Shopper stream (src/domain/shopper). Nothing writes it any more; it is read once, on open, so a
// device that has only this row keeps its cart (openCurrentCart adopts it).
import type { EventStore } from '../eventstore'

export const SESSION = 'session'
export const sessionTables = { [SESSION]: 'key' }

interface SessionRow {
  key: string
  value: string
}

/** The cart the `session` table names, if any: an older version of the shop wrote it. */
export async function legacyCartId(store: EventStore): Promise<string | null> {
  return (await store.db.table<SessionRow, string>(SESSION).get('cart'))?.value ?? null
}
