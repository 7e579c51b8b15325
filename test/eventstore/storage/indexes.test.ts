import Dexie from 'dexie'
import { describe, expect, it } from 'vitest'
import { listEventTypes, openEventStore, type EventStore } from '../../../src/eventstore'
import { Counted, Flagged, Noted, ids } from '../../support/events'
import { openTestStore, uniqueName } from '../../support/stores'

// The layout of version 3 (the last one without the type and correlation indexes), written down
// on purpose: the new code must upgrade a database the old one left, read models and all.
const VERSION_3 = {
  dexieVersion: 3000,
  stores: { events: '++position, &eventId', streams: '[stream+position], eventId', snapshots: 'stream', projections: 'name' },
}

/** A log of 30 events: Noted everywhere, a Counted every 10th, one Flagged; correlation `c<k>` per append of 3. */
async function writeLog(store: EventStore): Promise<void> {
  for (let i = 0; i < 30; i += 3) {
    const batch = [0, 1, 2].map((k) => {
      const n = i + k
      if (n === 17) return Flagged({ flag: true }, { eventId: `e${n}` })
      if (n % 10 === 9) return Counted({ n }, { eventId: `e${n}` })
      return Noted({ text: `note ${n}` }, { eventId: `e${n}` })
    })
    await store.append(batch, { stream: i % 2 === 0 ? 'even' : 'odd' })
  }
}

const range = (from: number, to: number, keep: (n: number) => boolean = () => true) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i).filter(keep).map((n) => `e${n}`)

describe('the log by type and by correlation id', () => {
  it('reads a type newest first through its index, page by page, and counts it', async () => {
    const store = await openTestStore()
    await writeLog(store)
    const counted = store.read.ofType(Counted).backward()
    expect(ids(await counted.toArray())).toEqual(['e29', 'e19', 'e9'])
    expect(ids(await counted.limit(2).toArray())).toEqual(['e29', 'e19'])
    expect(ids(await counted.from('e19').toArray())).toEqual(['e9'])
    expect(ids(await counted.forward().from('e9').toArray())).toEqual(['e19', 'e29'])
    expect(await counted.count()).toBe(3)
    expect(await store.read.ofType(Counted).from('e9').to('e29').count()).toBe(1)
    const batches: string[][] = []
    for await (const batch of store.read.ofType(Noted).backward().inBatches(10)) batches.push(ids(batch))
    expect(batches.flat()).toEqual(range(0, 29, (n) => n !== 17 && n % 10 !== 9).reverse())
    expect(batches.map((b) => b.length)).toEqual([10, 10, 6])
  })

  it('merges several types by position', async () => {
    const store = await openTestStore()
    await writeLog(store)
    const rare = store.read.ofType([Flagged, Counted])
    expect(ids(await rare.toArray())).toEqual(['e9', 'e17', 'e19', 'e29'])
    expect(ids(await rare.backward().limit(3).toArray())).toEqual(['e29', 'e19', 'e17'])
    expect(ids(await rare.backward().from('e17').toArray())).toEqual(['e9'])
    expect(await rare.count()).toBe(4)
    const pages: string[][] = []
    for await (const page of rare.backward().inBatches(3)) pages.push(ids(page))
    expect(pages).toEqual([['e29', 'e19', 'e17'], ['e9']])
  })

  it('reads one correlation, alone or with a type or a stream', async () => {
    const store = await openTestStore()
    await writeLog(store)
    // The append of e9, e10, e11 is correlation e9 (its first event's id).
    expect(ids(await store.read.correlatedWith('e9').backward().toArray())).toEqual(['e11', 'e10', 'e9'])
    expect(ids(await store.read.correlatedWith('e9').ofType(Counted).toArray())).toEqual(['e9'])
    expect(ids(await store.read.correlatedWith('e9').from('e9').toArray())).toEqual(['e10', 'e11'])
    expect(await store.read.correlatedWith('e9').count()).toBe(3)
    expect(await store.read.correlatedWith('nobody').count()).toBe(0)
    // e9…e11 went to 'odd'; the same correlation is nothing of 'even'.
    expect(ids(await store.read.stream('odd').correlatedWith('e9').backward().toArray())).toEqual(['e11', 'e10', 'e9'])
    expect(ids(await store.read.stream('even').correlatedWith('e9').toArray())).toEqual([])
    expect(ids(await store.read.stream('odd').correlatedWith('e9').ofType(Noted).toArray())).toEqual(['e10', 'e11'])
    expect(await store.read.stream('odd').correlatedWith('e9').count()).toBe(3)
    expect(ids(await store.read.withIds(['e9', 'e12']).correlatedWith('e9').toArray())).toEqual(['e9'])
  })

  it('keeps a type filter on a stream to that stream', async () => {
    const store = await openTestStore()
    await writeLog(store)
    expect(ids(await store.read.stream('odd').ofType(Counted).toArray())).toEqual(['e9', 'e29'])
    expect(ids(await store.read.stream('odd').ofType([Counted, Flagged]).backward().toArray())).toEqual(['e29', 'e17', 'e9'])
    expect(ids(await store.read.stream('even').ofType([Counted, Flagged]).toArray())).toEqual(['e19'])
  })

  it('lists the types present, and a new one once it is stored', async () => {
    const store = await openTestStore()
    expect(await listEventTypes(store)).toEqual([])
    await writeLog(store)
    expect(await listEventTypes(store)).toEqual(['Test.Counted', 'Test.Flagged', 'Test.Noted'])
    await store.append([Noted({ text: 'x' }, { eventId: 'x1' })].map((e) => ({ ...e, type: 'A.First' })))
    expect(await listEventTypes(store)).toEqual(['A.First', 'Test.Counted', 'Test.Flagged', 'Test.Noted'])
  })
})

describe('upgrading a database of layout version 3', () => {
  it('builds the indexes from the stored events in place, keeping events, streams and read models', async () => {
    const name = uniqueName('kiroku-v3')
    const readModels = { version: 2, stores: { orders: 'orderId, status' } }
    const old = new Dexie(name)
    old.version(VERSION_3.dexieVersion + readModels.version).stores({ ...VERSION_3.stores, ...readModels.stores })
    const at = new Date('2025-06-01T00:00:00Z')
    const events = Array.from({ length: 40 }, (_, i) => ({
      eventId: `old-${i}`,
      type: i % 13 === 5 ? 'Old.Rare' : 'Old.Common',
      data: { i },
      metadata: { correlationId: `old-${i - (i % 4)}`, timestamp: at, validAt: at },
    }))
    await old.table('events').bulkAdd(events)
    await old.table('streams').bulkAdd(events.map((e, i) => ({ stream: `s${i % 2}`, position: Math.floor(i / 2), eventId: e.eventId, globalPosition: i + 1, type: e.type, joinOrder: 0 })))
    await old.table('orders').put({ orderId: 'o1', status: 'draft' })
    old.close()

    const store = await openTestStore({ name, readModels })
    expect(store.db.verno).toBe(4000 + readModels.version)
    expect(await store.read.count()).toBe(40)
    expect(await store.db.table('orders').get('o1')).toEqual({ orderId: 'o1', status: 'draft' })
    expect(await listEventTypes(store)).toEqual(['Old.Common', 'Old.Rare'])
    expect(ids(await store.read.ofType('Old.Rare').backward().toArray())).toEqual(['old-31', 'old-18', 'old-5'])
    expect(ids(await store.read.correlatedWith('old-8').toArray())).toEqual(['old-8', 'old-9', 'old-10', 'old-11'])
    expect(ids(await store.read.stream('s1').ofType('Old.Rare').toArray())).toEqual(['old-5', 'old-31'])
    expect(ids(await store.read.stream('s0').correlatedWith('old-8').toArray())).toEqual(['old-8', 'old-10'])
    // New events join the same indexes.
    await store.append([{ eventId: 'new-1', type: 'Old.Rare', data: {}, metadata: { correlationId: 'old-8' } }], { stream: 's0', expectedVersion: 19 })
    expect(ids(await store.read.ofType('Old.Rare').backward().limit(1).toArray())).toEqual(['new-1'])
    expect(ids(await store.read.stream('s0').correlatedWith('old-8').toArray())).toEqual(['old-8', 'old-10', 'new-1'])
    store.close()

    // And it opens again as it is, with nothing left to upgrade.
    const again = await openEventStore({ name, readModels })
    expect(await again.read.ofType('Old.Rare').count()).toBe(4)
    again.close()
  })
})
