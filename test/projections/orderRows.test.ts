import { describe, expect, it } from 'vitest'
import { OrderCompleted, OrderPlaced } from '../../src/domain'
import { ORDERS, applyOrderEvents, shopReadModels, type OrderRow } from '../../src/projections'
import { openTestStore } from '../support/stores'

const placed = (orderId: string, quantity: number) =>
  OrderPlaced({ orderId, cartId: `cart-${orderId}`, lines: [{ itemId: 'tea', quantity, price: 100 }], subtotal: 100 * quantity, discount: 0, total: 100 * quantity })

describe('the orders read model, a batch at a time', () => {
  it('gives the same rows as one event at a time, across batches, with completions of earlier orders', async () => {
    const store = await openTestStore({ readModels: shopReadModels })
    const recorded = await store.append([
      placed('a', 1),
      placed('b', 2),
      OrderCompleted({ orderId: 'a' }),
      placed('c', 3),
      OrderCompleted({ orderId: 'c' }),
      OrderCompleted({ orderId: 'b' }),
      OrderCompleted({ orderId: 'ghost' }),
    ])
    const orders = store.db.table<OrderRow, string>(ORDERS)
    await applyOrderEvents(orders, recorded.slice(0, 4))
    await applyOrderEvents(orders, recorded.slice(4))
    const batched = await orders.orderBy('orderId').toArray()
    await orders.clear()
    for (const event of recorded) await applyOrderEvents(orders, [event])
    expect(await orders.orderBy('orderId').toArray()).toEqual(batched)
    expect(batched.map((o) => [o.orderId, o.status, o.itemCount])).toEqual([
      ['a', 'completed', 1],
      ['b', 'completed', 2],
      ['c', 'completed', 3],
    ])
    expect(batched.every((o) => o.completedAt instanceof Date)).toBe(true)
  })
})
