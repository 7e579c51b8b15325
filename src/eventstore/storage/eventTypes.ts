import { walk } from './idb'
import { BY_TYPE, EVENTS } from './schema'

/**
 * The event types present in the log, in name order. A key cursor over the type index steps once
 * per type, jumping over the rest of its events, so this costs what the types cost, not what
 * the log holds (a few milliseconds for a million events of a dozen types).
 */
export async function eventTypes(tx: IDBTransaction): Promise<string[]> {
  const types: string[] = []
  await walk(tx.objectStore(EVENTS).index(BY_TYPE).openKeyCursor(), (cursor) => {
    const type = (cursor.key as [string, number])[0]
    types.push(type)
    // Every key of this type sorts below [type, Infinity]: one step lands on the next type.
    return [type, Infinity]
  })
  return types
}
