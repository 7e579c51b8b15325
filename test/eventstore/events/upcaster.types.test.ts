// Typed upcasters: given an event's definition, a step's result is checked against its data.
// These checks are compile-time (tsc runs over test/ in `npm test`); the test also asserts at run time.
import { describe, expect, expectTypeOf, it } from 'vitest'
import { defineEvent, upcaster, type EventOf, type Upcaster } from '../../../src/eventstore'
import { openTestStore, uniqueName } from '../../support/stores'

interface PricedV1 { sku: string; price: string }
interface PricedV2 { sku: string; price: number }
interface PricedV3 { sku: string; price: number; currency: string }
const OldPriced = defineEvent<PricedV1, 'Shop.Priced'>('Shop.Priced')
const Priced = defineEvent<PricedV3, 'Shop.Priced'>('Shop.Priced', { version: 3 })

describe('typed upcasters', () => {
  it('checks each step against the shape it names, and still upcasts on read', async () => {
    // The step into an intermediate shape names it; the last step must give the definition's data.
    const toV2 = upcaster<PricedV2>(Priced, 1, (v1: PricedV1) => ({ sku: v1.sku, price: Number(v1.price) }))
    const toV3 = upcaster(Priced, 2, (v2: PricedV2) => ({ ...v2, currency: 'JPY' }))
    expectTypeOf(toV3).toEqualTypeOf<Upcaster>()
    // @ts-expect-error the current shape has a currency: this step forgets it
    upcaster(Priced, 2, (v2: PricedV2) => ({ ...v2 }))
    // @ts-expect-error a step to version 2 must give a numeric price
    upcaster<PricedV2>(Priced, 1, (v1: PricedV1) => ({ sku: v1.sku, price: v1.price }))
    // A type name checks nothing, as before.
    const untyped = upcaster('Shop.Priced', 2, (v2: PricedV2) => ({ ...v2 }))

    expect([toV2.type, toV3.type, untyped.type]).toEqual(['Shop.Priced', 'Shop.Priced', 'Shop.Priced'])
    const name = uniqueName()
    const old = await openTestStore({ name })
    await old.append(OldPriced({ sku: 'tea', price: '450' }, { eventId: 'p1' }))
    const store = await openTestStore({ name, upcasters: [toV2, toV3] })
    const [event] = await store.read.ofType(Priced).toArray()
    expectTypeOf(event).toEqualTypeOf<EventOf<typeof Priced> | undefined>()
    expect(event?.data).toEqual({ sku: 'tea', price: 450, currency: 'JPY' })
  })
})
