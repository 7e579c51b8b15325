// The shop as people see it at a phone's width and a laptop's: every screen fits its width, passes
// an accessibility scan, is photographed for a person to look at, and works with the keyboard alone.
import { createRequire } from 'node:module'
import type { Browser, Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { addToCart, baseURL, openShop, screenshot, useBrowser } from './browser'

const browser = useBrowser()

interface AxeResult {
  violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[]
}
const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js')

async function seriousViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: axePath })
  const result = await page.evaluate(() => (window as unknown as { axe: { run(): Promise<AxeResult> } }).axe.run())
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)
}

const PHONE = { width: 390, height: 844 }
const LAPTOP = { width: 1280, height: 800 }

/** A shopper's device with a cart (coupon applied) and one order placed from it. */
async function shopWithAnOrder(b: Browser, viewport: { width: number; height: number }) {
  // bypassCSP: the scanner is injected as an inline script, which the app's own policy refuses.
  const context = await b.newContext({ baseURL: baseURL(), viewport, bypassCSP: true })
  const page = await openShop(context)
  await addToCart(page, 'Sencha green tea, 100 g')
  await addToCart(page, 'Bento box')
  await page.goto('/#/cart')
  await page.getByLabel('Coupon code').fill('WELCOME500')
  await page.getByRole('button', { name: 'Apply' }).click()
  await page.getByText('Coupon WELCOME500 applied.').waitFor()
  await page.getByRole('button', { name: 'Check out' }).click()
  await page.getByRole('button', { name: 'Complete order' }).waitFor()
  const orderPath = new URL(page.url()).hash
  await addToCart(await gotoRoute(page, '/#/'), 'Daruma doll')
  return { context, page, orderPath }
}

async function gotoRoute(page: Page, path: string): Promise<Page> {
  await page.goto(path)
  await page.getByRole('heading', { level: 1 }).first().waitFor()
  // The devtools page loads its panel after its heading (its rows may be scrolled out of view).
  if (path.includes('devtools')) await page.getByText('Cart.ItemAdded').first().waitFor({ state: 'attached' })
  return page
}

const routes = (orderPath: string) =>
  [
    ['catalog', '/#/'],
    ['cart', '/#/cart'],
    ['orders', '/#/orders'],
    ['order', `/${orderPath}`],
    ['account', '/#/account'],
    ['devtools', '/#/devtools'],
  ] as const

const overflow = (page: Page) => page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }))

describe('every screen at a phone’s and a laptop’s size', () => {
  it('is never wider than the window, at 320, 390 and 1280 px', async () => {
    const { context, page, orderPath } = await shopWithAnOrder(browser(), { width: 320, height: 640 })
    const wider: string[] = []
    for (const width of [320, 390, 1280]) {
      await page.setViewportSize({ width, height: 800 })
      for (const [name, path] of routes(orderPath)) {
        await gotoRoute(page, path)
        const { scrollWidth, innerWidth } = await overflow(page)
        if (scrollWidth > innerWidth) wider.push(`${name} at ${width}px is ${scrollWidth}px wide`)
      }
    }
    expect(wider).toEqual([])
    await context.close()
  })

  for (const [size, viewport] of [['390', PHONE], ['1280', LAPTOP]] as const) {
    it(`passes an accessibility scan on every screen at ${size} px, and is photographed`, async () => {
      const { context, page, orderPath } = await shopWithAnOrder(browser(), viewport)
      const found: string[] = []
      for (const [name, path] of routes(orderPath)) {
        await gotoRoute(page, path)
        // The list says what a draft is, in a shopper's words.
        if (name === 'orders') await page.getByText('A draft order is placed but not confirmed yet').waitFor()
        found.push(...(await seriousViolations(page)).map((v) => `${name}: ${v}`))
        await screenshot(page, `screen-${name}-${size}`)
      }
      // The order again, completed: the confirmation and the next step.
      await gotoRoute(page, `/${orderPath}`)
      await page.getByRole('button', { name: 'Complete order' }).click()
      await page.getByRole('heading', { name: 'Thank you, your order is confirmed' }).waitFor()
      found.push(...(await seriousViolations(page)).map((v) => `order completed: ${v}`))
      await screenshot(page, `screen-order-completed-${size}`)
      // The connection details, opened.
      await page.getByRole('button', { name: 'Connection and storage details' }).click()
      await page.getByText('Your cart and orders are saved on this device').waitFor()
      found.push(...(await seriousViolations(page)).map((v) => `status details: ${v}`))
      await screenshot(page, `screen-status-details-${size}`)
      expect(found).toEqual([])
      await context.close()
    })
  }

  it('keeps the header short on a phone, the cart count in view, and Check out in reach of a long cart', async () => {
    const context = await browser().newContext({ baseURL: baseURL(), viewport: PHONE })
    const page = await openShop(context)
    const names = ['Sencha green tea, 100 g', 'Ceremonial matcha, 30 g', 'Hojicha roasted tea, 100 g', 'Yunomi teacup', 'Chasen bamboo whisk', 'Onigiri mould', 'Bento box']
    for (const name of names) await addToCart(page, name)
    const header = await page.locator('header').boundingBox()
    expect(header!.height).toBeLessThanOrEqual(PHONE.height / 8)
    // Scrolled to the end of the catalog, the cart link and its count are still on screen.
    await page.mouse.wheel(0, 5000)
    await expect.poll(() => page.evaluate(() => window.scrollY)).toBeGreaterThan(0)
    const cart = page.getByRole('link', { name: /^Cart/ })
    expect(await cart.textContent()).toBe(`Cart (${names.length})`)
    const box = await cart.boundingBox()
    expect(box!.y).toBeGreaterThanOrEqual(0)
    expect(box!.y + box!.height).toBeLessThanOrEqual(PHONE.height)
    // The cart, at its top: the total and Check out are on screen all the same.
    await cart.click()
    await page.getByRole('heading', { name: 'Your cart' }).waitFor()
    for (const target of [page.getByRole('button', { name: 'Check out' }), page.getByTestId('total')]) {
      const at = await target.boundingBox()
      expect(at!.y + at!.height).toBeLessThanOrEqual(PHONE.height)
    }
    await context.close()
  })
})

/** Presses Tab until the focused element has this accessible name (a keyboard user's way there). */
async function tabTo(page: Page, name: string | RegExp, limit = 60): Promise<void> {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab')
    const focused = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null
      return el?.getAttribute('aria-label') ?? el?.textContent?.trim() ?? ''
    })
    if (typeof name === 'string' ? focused === name : name.test(focused)) return
  }
  throw new Error(`Tab did not reach ${String(name)} in ${limit} presses`)
}

describe('the shop with the keyboard alone', () => {
  for (const viewport of [PHONE, LAPTOP]) {
    it(`buys, checks out and completes an order at ${viewport.width} px`, async () => {
      const context = await browser().newContext({ baseURL: baseURL(), viewport })
      const page = await openShop(context)
      await tabTo(page, 'Add to cart: Chopsticks, pair')
      await page.keyboard.press('Enter')
      await page.getByRole('listitem', { name: 'Chopsticks, pair' }).getByText('1 in your cart').waitFor()
      // Back up to the header: Shift+Tab from the card reaches the cart link.
      for (let i = 0; i < 60; i++) {
        await page.keyboard.press('Shift+Tab')
        if (await page.evaluate(() => document.activeElement?.textContent === 'Cart (1)')) break
      }
      await page.keyboard.press('Enter')
      await page.getByRole('heading', { name: 'Your cart' }).waitFor()
      await tabTo(page, 'One more Chopsticks, pair')
      await page.keyboard.press('Enter')
      await expect.poll(() => page.getByLabel('Quantity of Chopsticks, pair').inputValue()).toBe('2')
      await tabTo(page, 'Check out')
      await page.keyboard.press('Enter')
      await page.getByRole('button', { name: 'Complete order' }).waitFor()
      await tabTo(page, 'Complete order')
      await page.keyboard.press('Enter')
      await page.getByRole('heading', { name: 'Thank you, your order is confirmed' }).waitFor()
      expect(await page.getByTestId('order-total').textContent()).toBe('¥1,400')
      await tabTo(page, 'Continue shopping')
      await page.keyboard.press('Enter')
      await page.getByRole('heading', { name: 'Shop', level: 1 }).waitFor()
      await context.close()
    })
  }

  it('opens the status details and the devtools, and closes them with Escape', async () => {
    const context = await browser().newContext({ baseURL: baseURL(), viewport: PHONE })
    const page = await openShop(context)
    await tabTo(page, 'Connection and storage details')
    await page.keyboard.press('Enter')
    const details = page.getByText('Your cart and orders are saved on this device')
    await details.waitFor()
    await page.keyboard.press('Escape')
    await details.waitFor({ state: 'hidden' })
    // The devtools are not in the shop's navigation, but one key away, and linked at the foot.
    expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /Devtools/ }).count()).toBe(0)
    await page.keyboard.press('Alt+Shift+D')
    await page.getByRole('complementary', { name: 'Devtools' }).waitFor()
    await page.keyboard.press('Escape')
    await page.getByRole('complementary', { name: 'Devtools' }).waitFor({ state: 'detached' })
    await tabTo(page, 'Devtools page')
    await page.keyboard.press('Enter')
    await page.getByRole('heading', { name: 'Devtools', level: 1 }).waitFor()
    await context.close()
  })
})
