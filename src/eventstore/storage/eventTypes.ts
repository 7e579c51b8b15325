import { request } from './idb'
import { BY_TYPE, EVENTS } from './schema'

/**
 * The event types present in the log, in name order: one new key cursor per type on the type
 * index, each opened just past the type before (`[type, Infinity]`), so each is one seek and this
 * costs what the types cost, not what the log holds. Not one cursor continued to that key: in
 * Chromium `continue(key)` on an index walks the entries in between (about 200 ms for 100,000
 * events of 7 types, where a cursor per type took about 12 ms and a get about 1 ms; measured in
 * the same run on a loaded machine). A catalogue table of types read faster still (about 4 ms)
 * but would be one more write in every append.
 */
export async function eventTypes(tx: IDBTransaction): Promise<string[]> {
  const index = tx.objectStore(EVENTS).index(BY_TYPE)
  const types: string[] = []
  for (;;) {
    const last = types.at(-1)
    const cursor = await request(index.openKeyCursor(last === undefined ? null : IDBKeyRange.lowerBound([last, Infinity], true)))
    if (!cursor) return types
    types.push((cursor.key as [string, number])[0])
  }
}
