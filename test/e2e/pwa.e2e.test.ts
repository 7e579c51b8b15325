import { createRequire } from 'node:module'
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { addToCart, baseURL, newContext, openShop, screenshot, waitForServiceWorker, useBrowser } from './browser'

const browser = useBrowser()

interface AxeResult {
  violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: string[] }> }>
}

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js')

async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: axePath })
  const result = await page.evaluate(() => (window as unknown as { axe: { run(): Promise<AxeResult> } }).axe.run())
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)
}

describe('the installable app', () => {
  it('has a web manifest with names, colours, standalone display, a start URL and 192, 512 and maskable icons', async () => {
    const context = await newContext(browser())
    const page = await openShop(context)
    const href = await page.locator('link[rel="manifest"]').getAttribute('href')
    const manifest = await (await context.request.get(href!)).json()
    expect(manifest).toMatchObject({
      name: 'Kiroku shop',
      short_name: 'Kiroku',
      display: 'standalone',
      start_url: '/',
      theme_color: '#1f3a5f',
      background_color: '#fbfaf7',
    })
    const icons = manifest.icons as Array<{ src: string; sizes: string; purpose?: string }>
    expect(icons.map((i) => `${i.sizes}:${i.purpose ?? 'any'}`).sort()).toEqual(['192x192:any', '512x512:any', '512x512:maskable'])
    for (const icon of icons) {
      const response = await context.request.get(icon.src)
      expect(response.status()).toBe(200)
      expect(response.headers()['content-type']).toBe('image/png')
    }
    await context.close()
  })

  it('is controlled by an active service worker after the first visit', async () => {
    const context = await newContext(browser())
    const page = await openShop(context)
    await waitForServiceWorker(page)
    const controller = await page.evaluate(() => ({
      state: navigator.serviceWorker.controller?.state,
      script: navigator.serviceWorker.controller?.scriptURL,
    }))
    expect(controller).toEqual({ state: 'activated', script: `${baseURL()}/sw.js` })
    await context.close()
  })

  it('ships a Content Security Policy without inline scripts or eval', async () => {
    const context = await newContext(browser())
    const page = await openShop(context)
    const policy = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content')
    expect(policy).toContain("script-src 'self'")
    expect(policy).not.toContain('unsafe-inline')
    expect(policy).not.toContain('unsafe-eval')
    await context.close()
  })

  it('passes an accessibility scan (no serious or critical violations) on every screen, at desktop and phone widths', async () => {
    for (const viewport of [{ width: 1100, height: 850 }, { width: 390, height: 844 }]) {
      // The scanner is injected as an inline script, which the app's own policy rightly refuses.
      const context = await browser().newContext({ baseURL: baseURL(), viewport, bypassCSP: true })
      const page = await openShop(context)
      await addToCart(page, 'Sencha green tea, 100 g')
      const phone = viewport.width < 500
      for (const [path, name] of [['/#/', 'catalog'], ['/#/cart', 'cart'], ['/#/orders', 'orders']] as const) {
        await page.goto(path)
        await page.getByRole('heading', { level: 1 }).waitFor()
        expect(await seriousViolations(page), `${name} at ${viewport.width}px`).toEqual([])
        if (phone) await screenshot(page, `${name}-phone`)
      }
      await context.close()
    }
  })

  it('can be used with the keyboard alone: add, open the cart, change the quantity', async () => {
    const context = await newContext(browser())
    const page = await openShop(context)
    await page.getByRole('button', { name: 'Add to cart: Sencha green tea, 100 g' }).focus()
    await page.keyboard.press('Enter')
    await page.getByRole('listitem', { name: 'Sencha green tea, 100 g' }).getByText('1 in your cart').waitFor()
    await page.getByRole('link', { name: /^Cart/ }).focus()
    await page.keyboard.press('Enter')
    await page.getByRole('heading', { name: 'Your cart' }).waitFor()
    await page.getByRole('button', { name: 'One more Sencha green tea, 100 g' }).focus()
    await page.keyboard.press('Enter')
    await expect.poll(() => page.getByLabel('Quantity of Sencha green tea, 100 g').inputValue()).toBe('2')
    // The focus stays on the control, and shows.
    const focused = await page.evaluate(() => ({
      label: document.activeElement?.getAttribute('aria-label'),
      outline: getComputedStyle(document.activeElement!).outlineStyle,
    }))
    expect(focused.label).toBe('One more Sencha green tea, 100 g')
    expect(focused.outline).not.toBe('none')
    await context.close()
  })
})
