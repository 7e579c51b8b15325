// Which cart this device is filling: a small app-state table beside the read models.
import type { EventStore } from '../eventstore'

export const SESSION = 'session'
export const sessionTables = { [SESSION]: 'key' }

interface SessionRow {
  key: string
  value: string
}

export async function currentCartId(store: EventStore): Promise<string | null> {
  return ((await store.db.table<SessionRow, string>(SESSION).get('cart')) ?? null)?.value ?? null
}

export async function setCurrentCartId(store: EventStore, cartId: string): Promise<void> {
  await store.db.table<SessionRow, string>(SESSION).put({ key: 'cart', value: cartId })
}
