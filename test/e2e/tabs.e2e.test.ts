import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { addToCart, newContext, openShop, useBrowser } from './browser'

const browser = useBrowser()

async function checkout(page: Page): Promise<string> {
  await page.goto('/#/cart')
  await page.getByRole('button', { name: 'Check out' }).click()
  await expect.poll(() => page.getByTestId('order-status').textContent()).toBe('draft')
  return decodeURIComponent(new URL(page.url()).hash.split('/').pop()!)
}

const orderRow = (page: Page, orderId: string) => page.getByRole('row').filter({ hasText: `#${orderId.slice(0, 8)}` })

describe('the projection worker across real tabs', () => {
  it('keeps the orders list up to date after the leading tab closes: another tab’s worker takes over', async () => {
    const context = await newContext(browser())
    const leader = await openShop(context)
    const follower = await openShop(context)
    await addToCart(follower, 'Hojicha roasted tea, 100 g')
    const orderId = await checkout(follower)
    await follower.goto('/#/orders')
    await expect.poll(() => orderRow(follower, orderId).getByText('draft').count(), { timeout: 10_000 }).toBe(1)

    // The first tab's worker led; closing the tab ends it and releases its lock.
    await leader.close()
    await follower.goto(`/#/orders/${encodeURIComponent(orderId)}`)
    await follower.getByRole('button', { name: 'Complete order' }).click()
    await expect.poll(() => follower.getByTestId('order-status').textContent()).toBe('completed')
    await follower.goto('/#/orders')
    await expect.poll(() => orderRow(follower, orderId).getByText('completed').count(), { timeout: 15_000 }).toBe(1)
    await context.close()
  })

  it('applies on the next start what was written while no tab of the shop was open', async () => {
    const context = await newContext(browser())
    const first = await openShop(context)
    await first.close()
    // Another page of the same origin (not the shop) writes an order to the log directly.
    const other = await context.newPage()
    await other.goto('/manifest.webmanifest')
    await other.evaluate(async () => {
      const open = indexedDB.open('kiroku-shop')
      const db = await new Promise<IDBDatabase>((resolve) => (open.onsuccess = () => resolve(open.result)))
      const tx = db.transaction(['events', 'streams'], 'readwrite')
      const now = new Date()
      const data = { orderId: 'written-offline', cartId: 'elsewhere', lines: [{ itemId: 'fan', quantity: 3, price: 1100 }], subtotal: 3300, discount: 0, total: 3300 }
      const add = tx.objectStore('events').add({ eventId: 'offline-order', type: 'Order.Placed', data, metadata: { correlationId: 'offline-order', timestamp: now, validAt: now } })
      add.onsuccess = () =>
        tx.objectStore('streams').add({ stream: 'Order$written-offline', position: 0, eventId: 'offline-order', globalPosition: add.result, type: 'Order.Placed', joinOrder: 0 })
      await new Promise((resolve) => (tx.oncomplete = resolve))
      db.close()
    })
    await other.close()
    const page = await openShop(context, '/#/orders')
    await expect.poll(() => orderRow(page, 'written-offline').getByText('¥3,300').count(), { timeout: 15_000 }).toBe(1)
    await context.close()
  })
})
