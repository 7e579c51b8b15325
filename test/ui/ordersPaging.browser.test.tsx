// The orders screen reads the newest page of the orders table, not the whole table: a device with
// tens of thousands of orders opens as fast as one with a few, and older orders are a click away.
import { describe, expect, it, vi } from 'vitest'
import { ORDERS, ORDERS_PAGE, loadOrders, type OrderRow } from '../../src/projections'
import { SYNCED, fakeAccount, fakeSync, mountApp } from './support'

const orderId = (i: number) => `${String(i).padStart(4, '0')}-order`
// Order i placed i minutes after the first: the highest i is the newest.
const row = (i: number): OrderRow => ({ orderId: orderId(i), cartId: `cart-${i}`, status: 'completed', total: 100 + i, itemCount: 1, placedAt: new Date(Date.UTC(2026, 10, 1, 0, i)), completedAt: null })

describe('the orders screen, a page at a time', () => {
  it('shows the newest orders first and the older ones a page per click, until none is left', async () => {
    const total = 2 * ORDERS_PAGE + 7
    const { host, shop } = await mountApp({ hash: '#/cart' })
    await shop.store.db.table(ORDERS).bulkPut(Array.from({ length: total }, (_, i) => row(i)))
    await loadOrders(shop.store, shop.orders)
    window.location.hash = '#/orders'
    const shown = () => [...host.querySelectorAll('tbody tr th a')].map((a) => a.textContent)
    const more = () => [...host.querySelectorAll('button')].find((b) => b.textContent === 'Show older orders')
    await expect.poll(() => shown().length).toBe(ORDERS_PAGE)
    expect(shown()[0]).toBe(`#${orderId(total - 1).slice(0, 8)}`)
    expect(shop.orders.getState().orders.map((o) => o.orderId)).toEqual(Array.from({ length: ORDERS_PAGE }, (_, i) => orderId(total - 1 - i)))

    more()?.click()
    await expect.poll(() => shown().length).toBe(2 * ORDERS_PAGE)
    expect(more()).toBeDefined()
    more()?.click()
    await expect.poll(() => shown().length).toBe(total)
    expect(shop.orders.getState().orders.at(-1)?.orderId).toBe(orderId(0))
    expect(more()).toBeUndefined()
  })

  it('does not call an order "not on this device" when it is stored but older than the page shown', async () => {
    const old = row(0)
    const elsewhere = { id: 'elsewhere-0001', status: 'placed', lines: [{ itemId: 'sencha', quantity: 1, price: 900 }], subtotal: 900, discount: 0, total: 900, placedAt: '2026-11-01T10:00:00.000Z', completedAt: null }
    const held = [{ ...elsewhere, id: old.orderId, total: old.total }, elsewhere]
    vi.spyOn(globalThis, 'fetch').mockImplementation(async (input) => {
      if (String(input).endsWith('/api/orders')) return new Response(JSON.stringify({ orders: held }), { status: 200, headers: { 'content-type': 'application/json' } })
      throw new TypeError('unexpected request in this test')
    })
    const { host, shop } = await mountApp({ account: fakeAccount({ id: 'u1', email: 'aiko@example.com' }), sync: fakeSync(SYNCED), hash: '#/cart' })
    await shop.store.db.table(ORDERS).bulkPut(Array.from({ length: ORDERS_PAGE + 1 }, (_, i) => row(i)))
    await loadOrders(shop.store, shop.orders)
    expect(shop.orders.getState().orders.some((o) => o.orderId === old.orderId)).toBe(false)
    window.location.hash = '#/orders'
    const notHere = () => host.querySelector('section[aria-labelledby="server-orders-title"]')?.textContent ?? ''
    await expect.poll(notHere).toContain('#elsewher')
    expect(notHere()).not.toContain(`#${old.orderId.slice(0, 8)}`)
  })
})
