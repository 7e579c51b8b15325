import Dexie from 'dexie'
import { describe, expect, it } from 'vitest'
import { EventStoreError, librarySchema, openEventStore } from '../../../src/eventstore'
import { ids, notes } from '../../support/events'
import { failure } from '../../support/failure'
import { openTestStore, uniqueName } from '../../support/stores'

// The layout of version 1 as it was first released, written down here on purpose: if the
// library's schema moves on, this still builds the old database the new code must open.
const VERSION_1 = {
  dexieVersion: 1000,
  stores: { events: '++position, &eventId', streams: '[stream+position], eventId' },
}

describe('storage layout and upgrades', () => {
  it('declares the log keyed by position with a unique eventId index, and streams keyed by [stream+position]', async () => {
    const store = await openTestStore()
    const events = store.db.table('events').schema
    const streams = store.db.table('streams').schema
    expect(events.primKey).toMatchObject({ keyPath: 'position', auto: true })
    expect(events.indexes.find((i) => i.name === 'eventId')).toMatchObject({ unique: true })
    expect(streams.primKey.keyPath).toEqual(['stream', 'position'])
    expect(streams.indexes.map((i) => i.name)).toContain('eventId')
    expect(librarySchema[0]?.stores).toEqual(VERSION_1.stores)
  })

  it('opens a database written by version 1 of the layout and keeps every event', async () => {
    const name = uniqueName('kiroku-v1')
    const old = new Dexie(name)
    old.version(VERSION_1.dexieVersion).stores(VERSION_1.stores)
    const at = new Date('2025-01-01T00:00:00Z')
    await old.table('events').bulkAdd([
      { eventId: 'old-1', type: 'Test.Noted', data: { text: 'from v1' }, metadata: { correlationId: 'old-1', timestamp: at, validAt: at } },
      { eventId: 'old-2', type: 'Test.Noted', data: { text: 'again' }, metadata: { correlationId: 'old-1', timestamp: at, validAt: at } },
    ])
    await old.table('streams').bulkAdd([
      { stream: 's', position: 0, eventId: 'old-1', globalPosition: 1, type: 'Test.Noted', joinOrder: 0 },
      { stream: 's', position: 1, eventId: 'old-2', globalPosition: 2, type: 'Test.Noted', joinOrder: 0 },
    ])
    old.close()

    const store = await openTestStore({ name, readModels: { version: 1, stores: { carts: 'id' } } })
    expect(ids(await store.read.stream('s').toArray())).toEqual(['old-1', 'old-2'])
    expect((await store.read.eventOrThrow('old-1')).data).toEqual({ text: 'from v1' })
    await store.append(notes(1), { stream: 's', expectedVersion: 1 })
    expect(await store.globalPosition('e1')).toBe(3)
    expect(await store.db.table('carts').count()).toBe(0)
    // Version 2 of the layout added the snapshots table to the old database.
    await store.snapshots.put({ stream: 's', version: 2, eventId: 'e1', schemaVersion: 1, state: {}, takenAt: new Date() })
    expect(await store.snapshots.get('s')).toMatchObject({ version: 2 })
  })

  it('adds read-model tables in a later version without losing events, and keeps them on reopen', async () => {
    const name = uniqueName('kiroku-upgrade')
    const first = await openEventStore({ name })
    await first.append(notes(3), { stream: 's' })
    first.close()

    const second = await openEventStore({ name, readModels: { version: 1, stores: { orders: 'orderId, status' } } })
    await second.db.table('orders').put({ orderId: 'o1', status: 'draft' })
    second.close()

    const third = await openTestStore({ name, readModels: { version: 2, stores: { orders: 'orderId, status, placedAt' } } })
    expect(await third.read.count()).toBe(3)
    expect(await third.streamVersion('s')).toBe(2)
    expect(await third.db.table('orders').where('status').equals('draft').count()).toBe(1)
    expect(third.db.table('orders').schema.indexes.map((i) => i.name)).toContain('placedAt')
  })

  it('refuses a read-model table named like one of the store’s own', async () => {
    const error = await failure(() => openEventStore({ name: uniqueName(), readModels: { version: 1, stores: { events: 'id' } } }))
    expect(error).toBeInstanceOf(EventStoreError)
    expect(error.message).toContain('"events"')
  })

  it.each([[0], [1000], [1.5]])('refuses read-model version %s', async (version) => {
    const error = await failure(() => openEventStore({ name: uniqueName(), readModels: { version, stores: { x: 'id' } } }))
    expect(error).toBeInstanceOf(EventStoreError)
  })

  it('refuses an empty database name', async () => {
    expect(await failure(() => openEventStore({ name: '' }))).toBeInstanceOf(EventStoreError)
  })
})
