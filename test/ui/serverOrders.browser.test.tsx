// The orders screen, signed in: which orders the server's history holds, and the ones it holds
// that this device has not pulled yet. The server is stood in for by a stubbed fetch of /api/orders.
import { describe, expect, it, vi } from 'vitest'
import { ORDERS, loadOrders, type OrderRow } from '../../src/projections'
import { SYNCED, fakeAccount, fakeSync, mountApp } from './support'

const USER = { id: 'u1', email: 'aiko@example.com' }
const serverOrder = (id: string, total: number) => ({ id, status: 'placed', lines: [{ itemId: 'sencha', quantity: 1, price: total }], subtotal: total, discount: 0, total, placedAt: '2026-11-01T10:00:00.000Z', completedAt: null })

function stubOrders(orders: unknown[] = []) {
  return vi.spyOn(globalThis, 'fetch').mockImplementation(async (input) => {
    if (String(input).endsWith('/api/orders')) return new Response(JSON.stringify({ orders }), { status: 200, headers: { 'content-type': 'application/json' } })
    throw new TypeError('unexpected request in this test')
  })
}

describe('the orders screen with the server’s history', () => {
  it('marks the orders the server holds, and lists the ones only the server has', async () => {
    const held: unknown[] = []
    const fetch = stubOrders(held)
    const { host, shop } = await mountApp({ account: fakeAccount(USER), sync: fakeSync(SYNCED), hash: '#/cart' })
    // Two orders in this device's orders read model (the worker's projection is off in this test).
    const local = 'local-order-0001'
    const notPushed = 'unpushed-order-0002'
    for (const [orderId, total] of [[local, 1200], [notPushed, 900]] as const) {
      const row: OrderRow = { orderId, cartId: `cart-${orderId}`, status: 'draft', total, itemCount: 1, placedAt: new Date(), completedAt: null }
      await shop.store.db.table(ORDERS).put(row)
    }
    await loadOrders(shop.store, shop.orders)
    held.push(serverOrder(local, 1200), serverOrder('elsewhere-0001', 2800))
    window.location.hash = '#/orders'
    const row = (id: string) => [...host.querySelectorAll('tbody tr')].find((tr) => tr.textContent?.includes(`#${id.slice(0, 8)}`))
    await expect.poll(() => row(local)?.textContent).toContain('stored on the server')
    expect(row(notPushed)?.textContent).toContain('not on the server yet')
    // Which server orders this device lacks is asked of its orders table: it shows a moment later.
    await expect.poll(() => host.querySelector('#server-orders-title')?.textContent).toBe('On your account, not on this device yet')
    expect(host.textContent).toContain('#elsewher · Nov 1, 2026')
    expect(fetch).toHaveBeenCalled()
  })

  it('asks the server nothing while signed out', async () => {
    const fetch = stubOrders([])
    const { host } = await mountApp({ hash: '#/orders' })
    await expect.poll(() => host.querySelector('#orders-title')?.textContent).toBe('Orders')
    expect(fetch).not.toHaveBeenCalled()
    expect(host.textContent).not.toContain('on the server')
  })
})
