// Which cart is current, across tabs and across a crash, as a person meets it.
import type { BrowserContext, Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { addToCart, newContext, openShop, product, useBrowser } from './browser'

const browser = useBrowser()

const cartLink = (page: Page) => page.getByRole('link', { name: /^Cart/ })

/**
 * Opens `count` tabs of the shop on an empty database at the same moment. A page of the origin
 * empties the database in a transaction it keeps open; each tab, once it has started (its
 * projection client asks for the workers' status on the shop's channel), waits for that
 * transaction with its first read of the data. When all of them wait, it lets go, and they all read
 * the same empty database at once.
 */
async function openAtOnce(context: BrowserContext, count: number): Promise<Page[]> {
  await (await openShop(context)).close() // the database and its tables exist from here on
  const holder = await context.newPage()
  await holder.goto('/manifest.webmanifest')
  await holder.evaluate(async (count) => {
    const open = indexedDB.open('kiroku-shop')
    const db = await new Promise<IDBDatabase>((resolve) => (open.onsuccess = () => resolve(open.result)))
    const tx = db.transaction([...db.objectStoreNames], 'readwrite')
    for (const name of db.objectStoreNames) tx.objectStore(name).clear()
    let started = 0
    const channel = new BroadcastChannel('kiroku:kiroku-shop')
    channel.onmessage = (event: MessageEvent<{ type: string }>) => {
      if (event.data.type === 'status-request' && ++started === count) channel.close()
    }
    // The transaction lives as long as it has a request pending.
    const keepOpen = () => {
      if (started < count) tx.objectStore('session').get('cart').onsuccess = keepOpen
    }
    keepOpen()
    ;(window as unknown as { released: Promise<unknown> }).released = new Promise((resolve) => (tx.oncomplete = resolve))
  }, count)
  const tabs = Promise.all(Array.from({ length: count }, () => openShop(context)))
  await holder.evaluate(() => (window as unknown as { released: Promise<unknown> }).released)
  await holder.close()
  return tabs
}

/** In `page`, clicks the button the moment another tab's next commit is announced, before this tab has acted on it. */
async function clickOnNextCommit(page: Page, buttonLabel: string): Promise<void> {
  await page.evaluate((label) => {
    const channel = new BroadcastChannel('kiroku:kiroku-shop')
    channel.onmessage = (event: MessageEvent<{ type: string }>) => {
      if (event.data.type !== 'committed') return
      channel.close()
      document.querySelector<HTMLButtonElement>(`button[aria-label="${label}"]`)!.click()
    }
  }, buttonLabel)
}

interface LegacyCart {
  cartId: string
  /** The order it was checked out into, if it was. */
  orderId?: string
}

/**
 * Leaves the shop's database as the version before the Shopper stream did: a cart holding a
 * Daruma doll, named current by the `session` table. With `orderId`, the cart was checked out and
 * the tab died before the second write (the next cart in `session`) — what a crash left on disk.
 */
async function leaveLegacyDevice(context: BrowserContext, legacy: LegacyCart): Promise<void> {
  // The app creates its database and schema; then, with no tab of the shop open, another page
  // of the origin puts the old data in its place.
  await (await openShop(context)).close()
  const other = await context.newPage()
  await other.goto('/manifest.webmanifest')
  await other.evaluate(async ({ cartId, orderId }) => {
    const open = indexedDB.open('kiroku-shop')
    const db = await new Promise<IDBDatabase>((resolve) => (open.onsuccess = () => resolve(open.result)))
    const stores = ['events', 'streams', 'snapshots', 'projections', 'orders', 'session']
    const tx = db.transaction(stores, 'readwrite')
    for (const name of stores) tx.objectStore(name).clear()
    const now = new Date()
    const lines = [{ itemId: 'daruma', quantity: 1, price: 2000 }]
    const written: Array<[string, string, unknown]> = [[`Cart$${cartId}`, 'Cart.ItemAdded', { cartId, itemId: 'daruma', quantity: 1, price: 2000 }]]
    if (orderId) {
      written.push([`Cart$${cartId}`, 'Cart.CheckedOut', { cartId, orderId }])
      written.push([`Order$${orderId}`, 'Order.Placed', { orderId, cartId, lines, subtotal: 2000, discount: 0, total: 2000 }])
    }
    const positions = new Map<string, number>()
    written.forEach(([stream, type, data], i) => {
      const eventId = `legacy-${i}`
      const position = positions.get(stream) ?? 0
      positions.set(stream, position + 1)
      const add = tx.objectStore('events').add({ eventId, type, data, metadata: { correlationId: eventId, timestamp: now, validAt: now } })
      add.onsuccess = () => tx.objectStore('streams').add({ stream, position, eventId, globalPosition: add.result, type, joinOrder: 0 })
    })
    tx.objectStore('session').put({ key: 'cart', value: cartId })
    await new Promise((resolve) => (tx.oncomplete = resolve))
    db.close()
  }, legacy)
  await other.close()
}

describe('the current cart', () => {
  it('is one cart for three tabs opened at the same moment on a fresh profile: what each adds shows in all three', async () => {
    const context = await newContext(browser())
    const tabs = await openAtOnce(context, 3)
    const names = ['Furoshiki cloth', 'Kiroku notebook', 'Uchiwa fan']
    // Each tab adds its own item, all in the same instant.
    await Promise.all(
      tabs.map((tab, i) => tab.evaluate((name) => document.querySelector<HTMLButtonElement>(`button[aria-label="Add to cart: ${name}"]`)!.click(), names[i]!)),
    )
    for (const [i, tab] of tabs.entries()) await product(tab, names[i]!).getByText('1 in your cart').waitFor()
    for (const tab of tabs) {
      await expect.poll(() => cartLink(tab).textContent(), { timeout: 10_000 }).toBe('Cart (3)')
      for (const name of names) expect(await product(tab, name).getByText('1 in your cart').count()).toBe(1)
    }
    // And after a reload: no item went into a cart that no tab shows.
    await tabs[2]!.reload()
    await expect.poll(() => cartLink(tabs[2]!).textContent()).toBe('Cart (3)')
    await context.close()
  })

  it('follows a checkout made in another tab: an add clicked as the checkout arrives goes into the new cart', async () => {
    const context = await newContext(browser())
    const first = await openShop(context)
    const second = await openShop(context)
    await addToCart(first, 'Onigiri mould')
    await expect.poll(() => cartLink(second).textContent(), { timeout: 10_000 }).toBe('Cart (1)')
    await first.goto('/#/cart')
    await clickOnNextCommit(second, 'Add to cart: Chasen bamboo whisk')
    await first.getByRole('button', { name: 'Check out' }).click()
    await expect.poll(() => first.getByTestId('order-status').textContent()).toBe('draft')

    await product(second, 'Chasen bamboo whisk').getByText('1 in your cart').waitFor()
    expect(await second.getByRole('alert').count()).toBe(0)
    expect(await product(second, 'Onigiri mould').getByText('in your cart').count()).toBe(0)
    await addToCart(second, 'Yunomi teacup')
    // Both tabs are on the same new cart.
    await expect.poll(() => cartLink(first).textContent(), { timeout: 10_000 }).toBe('Cart (2)')
    expect(await cartLink(second).textContent()).toBe('Cart (2)')
    await context.close()
  })

  it('is a new one after a crash between the checkout and naming the next cart: the reopened shop adds', async () => {
    const context = await newContext(browser())
    await leaveLegacyDevice(context, { cartId: 'crashed', orderId: 'before-the-crash' })
    const page = await openShop(context)
    await addToCart(page, 'Uchiwa fan')
    expect(await page.getByRole('alert').count()).toBe(0)
    expect(await cartLink(page).textContent()).toBe('Cart (1)')
    expect(await product(page, 'Daruma doll').getByText('in your cart').count()).toBe(0)
    // The checkout made before the crash is kept.
    await page.goto('/#/orders/before-the-crash')
    await expect.poll(() => page.getByTestId('order-status').textContent()).toBe('draft')
    await context.close()
  })

  it('is kept from the `session` table of the previous version of the shop', async () => {
    const context = await newContext(browser())
    await leaveLegacyDevice(context, { cartId: 'from-before' })
    const page = await openShop(context)
    await product(page, 'Daruma doll').getByText('1 in your cart').waitFor()
    await addToCart(page, 'Daruma doll')
    expect(await cartLink(page).textContent()).toBe('Cart (2)')
    await context.close()
  })
})
