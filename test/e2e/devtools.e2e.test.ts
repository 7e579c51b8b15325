import { describe, expect, it } from 'vitest'
import { addToCart, baseURL, newContext, openShop, screenshot, useBrowser } from './browser'

const browser = useBrowser()

describe('the devtools in the shop', () => {
  it('opens over any screen with Alt+Shift+D and shows the log live', async () => {
    const context = await newContext(browser())
    const page = await openShop(context)
    await addToCart(page, 'Daruma doll')
    await page.keyboard.press('Alt+Shift+D')
    const drawer = page.getByRole('complementary', { name: 'Devtools' })
    await drawer.waitFor()
    await expect.poll(() => drawer.getByText('Cart.ItemAdded').count()).toBeGreaterThan(0)
    const before = await drawer.getByText('Cart.ItemAdded').count()
    // New events appear without reopening it, also those another tab commits.
    const other = await openShop(context)
    await addToCart(other, 'Uchiwa fan')
    await expect.poll(() => drawer.getByText('Cart.ItemAdded').count(), { timeout: 10_000 }).toBeGreaterThan(before)
    await screenshot(page, 'devtools-drawer')
    await page.keyboard.press('Escape')
    expect(await drawer.count()).toBe(0)
    await context.close()
  })

  it('has a page of its own', async () => {
    const context = await newContext(browser())
    const page = await openShop(context)
    await addToCart(page, 'Bento box')
    await page.getByRole('link', { name: 'Devtools page' }).click()
    await page.getByRole('heading', { name: 'Devtools', level: 1 }).waitFor()
    await expect.poll(() => page.getByText('Cart.ItemAdded').count()).toBeGreaterThan(0)
    await screenshot(page, 'devtools-page')
    await context.close()
  })

  it.each([
    [390, 844],
    [1280, 800],
  ])('fits a %i px wide screen, as a page and as a drawer, with time travel in view', async (width, height) => {
    const context = await browser().newContext({ baseURL: baseURL(), viewport: { width, height } })
    const page = await openShop(context)
    await addToCart(page, 'Daruma doll')
    await addToCart(page, 'Uchiwa fan')
    const box = async (selector: string) => (await page.locator(selector).first().boundingBox())!
    for (const where of ['page', 'drawer'] as const) {
      if (where === 'page') await page.goto('/#/devtools')
      else {
        await page.goto('/#/')
        await page.keyboard.press('Alt+Shift+D')
      }
      const panel = where === 'page' ? page.locator('.kiroku-devtools') : page.getByRole('complementary', { name: 'Devtools' })
      const newest = panel.locator('.kd-row', { hasText: 'Cart.ItemAdded' }).first()
      await newest.click()
      const previous = panel.getByRole('button', { name: 'Previous event' })
      await previous.waitFor()
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width)
      const [list, side, row] = [await box('.kd-timeline'), await box('.kd-side'), await newest.boundingBox()]
      if (width < 700) {
        // Stacked: the detail under the list, rows of two lines.
        expect(side.y).toBeGreaterThanOrEqual(list.y + list.height - 1)
        expect(row!.height).toBeGreaterThan(36)
      } else {
        // Side by side, and time travel's controls in the side pane's view without scrolling it.
        expect(side.x).toBeGreaterThanOrEqual(list.x + list.width - 1)
        const button = (await previous.boundingBox())!
        expect(button.y + button.height).toBeLessThanOrEqual(side.y + side.height)
      }
      await screenshot(page, `devtools-${where}-${width}`)
      if (where === 'drawer') await page.keyboard.press('Escape')
    }
    await context.close()
  })

  it('shows hostile event data as text, in the cart and in the devtools, and runs nothing', async () => {
    const context = await newContext(browser())
    const page = await openShop(context)
    await addToCart(page, 'Sencha green tea, 100 g')
    const payload = '<img src=x onerror="window.__pwned=1">javascript:alert(1)'
    // Another program wrote this to the log directly: the app must treat it as untrusted.
    await page.evaluate(async (itemId) => {
      const open = indexedDB.open('kiroku-shop')
      const db = await new Promise<IDBDatabase>((resolve) => (open.onsuccess = () => resolve(open.result)))
      const tx = db.transaction(['events', 'streams'], 'readwrite')
      // The current cart: the one the last Shopper.CartStarted of this device's shopper names.
      const cartId = await new Promise<string>((resolve) => {
        const last = tx.objectStore('streams').openCursor(IDBKeyRange.bound(['Shopper$local', 0], ['Shopper$local', Infinity]), 'prev')
        last.onsuccess = () => {
          const started = tx.objectStore('events').get(last.result!.value.globalPosition)
          started.onsuccess = () => resolve(started.result.data.cartId)
        }
      })
      const now = new Date()
      const add = tx.objectStore('events').add({ eventId: 'hostile-1', type: 'Cart.ItemAdded', data: { cartId, itemId, quantity: 1, price: 100 }, metadata: { correlationId: 'hostile-1', timestamp: now, validAt: now } })
      add.onsuccess = () => tx.objectStore('streams').add({ stream: `Cart$${cartId}`, position: 1, eventId: 'hostile-1', globalPosition: add.result, type: 'Cart.ItemAdded', joinOrder: 0 })
      await new Promise((resolve) => (tx.oncomplete = resolve))
      db.close()
    }, payload)
    await page.goto('/#/cart')
    await page.reload()
    await page.getByRole('row', { name: new RegExp('onerror') }).waitFor()
    await page.keyboard.press('Alt+Shift+D')
    const drawer = page.getByRole('complementary', { name: 'Devtools' })
    await expect.poll(() => drawer.getByText('onerror', { exact: false }).count()).toBeGreaterThan(0)
    expect(await page.locator('img[src="x"]').count()).toBe(0)
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined()
    await context.close()
  })
})
