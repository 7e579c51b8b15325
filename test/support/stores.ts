import { afterEach } from 'vitest'
import { openEventStore, type EventStore, type OpenEventStoreOptions } from '../../src/eventstore'

const opened: EventStore[] = []
const names = new Set<string>()
let counter = 0

/** A unique database name for this test; the database is deleted after the test. */
export function uniqueName(prefix = 'kiroku-test'): string {
  const name = `${prefix}-${Date.now().toString(36)}-${++counter}-${Math.random().toString(36).slice(2, 8)}`
  names.add(name)
  return name
}

/** Opens a store on a fresh database (or on `name`, for several connections to one database). */
export async function openTestStore(options: Partial<OpenEventStoreOptions> = {}): Promise<EventStore> {
  const name = options.name ?? uniqueName()
  names.add(name)
  const store = await openEventStore({ ...options, name })
  opened.push(store)
  return store
}

/** Deletes a database once every connection has closed (a 'blocked' event just means "not yet"). */
function deleteDatabase(name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.deleteDatabase(name)
    req.onsuccess = () => resolve()
    req.onerror = () => reject(req.error)
  })
}

afterEach(async () => {
  for (const store of opened.splice(0)) store.close()
  await Promise.all([...names].map(deleteDatabase))
  names.clear()
})
