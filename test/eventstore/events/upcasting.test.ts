import { describe, expect, it } from 'vitest'
import { AggregateRoot, AggregateRepository, EventUpcastError, defineEvent, upcaster } from '../../../src/eventstore'
import { failure } from '../../support/failure'
import { openTestStore, uniqueName } from '../../support/stores'

// Version 1 stored a price in whole yen as a string; version 2 a number; version 3 adds a currency.
const PricedV1 = defineEvent<{ sku: string; price: string }, 'Shop.Priced'>('Shop.Priced')
const Priced = defineEvent<{ sku: string; price: number; currency: string }, 'Shop.Priced'>('Shop.Priced', { version: 3 })

const upcasters = [
  upcaster('Shop.Priced', 1, (data: { sku: string; price: string }) => ({ sku: data.sku, price: Number(data.price) })),
  upcaster('Shop.Priced', 2, (data: { sku: string; price: number }) => ({ ...data, currency: 'JPY' })),
]

class PriceList extends AggregateRoot<Record<string, number>> {
  static readonly aggregateName = 'PriceList'
  constructor(id: string) {
    super(id, {})
    this.on(Priced, (state, { data }) => ({ ...state, [data.sku]: data.price }))
  }
  priceOf(sku: string): number | undefined {
    return this.state[sku]
  }
}

describe('upcasting', () => {
  it('marks events of a later version with their schema version', async () => {
    const store = await openTestStore()
    const [recorded] = await store.append([Priced({ sku: 'a', price: 100, currency: 'JPY' })])
    expect(recorded?.metadata.schemaVersion).toBe(3)
    const [v1] = await store.append([PricedV1({ sku: 'a', price: '1' })])
    expect(v1?.metadata.schemaVersion).toBeUndefined()
  })

  it('brings old payloads to the current shape on read, through a chain of upcasters', async () => {
    const name = uniqueName()
    const old = await openTestStore({ name })
    await old.append([PricedV1({ sku: 'tea', price: '450' }, { eventId: 'p1' })], { stream: 'PriceList$main' })
    const store = await openTestStore({ name, upcasters })
    const event = await store.read.eventOrThrow('p1')
    expect(event.data).toEqual({ sku: 'tea', price: 450, currency: 'JPY' })
    expect(event.metadata.schemaVersion).toBe(3)
    expect((await store.read.stream('PriceList$main').toArray())[0]?.data).toEqual(event.data)
  })

  it('lets an aggregate written months ago still load', async () => {
    const name = uniqueName()
    const old = await openTestStore({ name })
    await old.append([PricedV1({ sku: 'tea', price: '450' }), PricedV1({ sku: 'cup', price: '1200' })], { stream: 'PriceList$main' })
    const store = await openTestStore({ name, upcasters })
    await store.append([Priced({ sku: 'tea', price: 500, currency: 'JPY' })], { stream: 'PriceList$main' })
    const list = await new AggregateRepository(store).load(PriceList, 'main')
    expect([list.priceOf('tea'), list.priceOf('cup')]).toEqual([500, 1200])
  })

  it('never rewrites the stored record', async () => {
    const name = uniqueName()
    const store = await openTestStore({ name, upcasters })
    await store.append([PricedV1({ sku: 'tea', price: '450' }, { eventId: 'p2' })])
    await store.read.toArray()
    const raw = await openTestStore({ name })
    expect((await raw.read.eventOrThrow('p2')).data).toEqual({ sku: 'tea', price: '450' })
  })

  it('upcasts inside batches too', async () => {
    const store = await openTestStore({ upcasters })
    await store.append([PricedV1({ sku: 'a', price: '1' }), PricedV1({ sku: 'b', price: '2' }), PricedV1({ sku: 'c', price: '3' })])
    const prices: unknown[] = []
    for await (const batch of store.read.inBatches(2)) prices.push(...batch.map((e) => (e.data as { price: unknown }).price))
    expect(prices).toEqual([1, 2, 3])
  })

  it('fails the read with EventUpcastError naming the event when an upcaster throws', async () => {
    const failing = [
      upcaster('Shop.Priced', 1, () => {
        throw new Error('no price')
      }),
    ]
    const store = await openTestStore({ upcasters: failing })
    await store.append([PricedV1({ sku: 'x', price: '?' }, { eventId: 'bad-1' })])
    const error = await failure(() => store.read.toArray())
    expect(error).toBeInstanceOf(EventUpcastError)
    expect(error).toMatchObject({ eventId: 'bad-1', eventType: 'Shop.Priced', fromVersion: 1 })
  })
})
