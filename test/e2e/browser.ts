// Debian's Chromium through playwright-core, as a person would use the built app.
import { mkdir } from 'node:fs/promises'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { afterAll, beforeAll, inject } from 'vitest'
import { CHROMIUM, CHROMIUM_ARGS } from '../../vite.config'

export const baseURL = (): string => inject('baseURL')

export function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
}

/** One browser for the test file, launched before its tests and closed after: call at the top. */
export function useBrowser(): () => Browser {
  let browser: Browser | undefined
  beforeAll(async () => {
    browser = await launch()
  })
  afterAll(async () => {
    await browser?.close()
  })
  return () => {
    if (!browser) throw new Error('The browser is not launched yet.')
    return browser
  }
}

/** A fresh profile's worth of storage: its own IndexedDB, service worker and caches. */
export function newContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({ baseURL: baseURL(), viewport: { width: 1100, height: 850 } })
}

/** Opens the shop and waits until it has read its store. */
export async function openShop(context: BrowserContext, path = '/'): Promise<Page> {
  const page = await context.newPage()
  await page.goto(path)
  await page.getByRole('heading', { level: 1 }).first().waitFor()
  return page
}

export const product = (page: Page, name: string) => page.getByRole('listitem', { name })

export async function addToCart(page: Page, name: string, times = 1): Promise<void> {
  const card = product(page, name)
  const before = await inCart(page, name)
  for (let i = 0; i < times; i++) {
    await card.getByRole('button', { name: /Add to cart/ }).click()
    await card.getByText(`${before + i + 1} in your cart`).waitFor()
  }
}

async function inCart(page: Page, name: string): Promise<number> {
  const text = (await product(page, name).locator('.product-status').textContent()) ?? ''
  return Number(/(\d+) in your cart/.exec(text)?.[1] ?? 0)
}

/** Waits until a service worker controls the page (the shell is then cached for offline use). */
export async function waitForServiceWorker(page: Page): Promise<void> {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready
    await new Promise<void>((resolve) => {
      navigator.serviceWorker.addEventListener('controllerchange', () => resolve(), { once: true })
      // It may have taken control already (clientsClaim), before the listener was there.
      if (navigator.serviceWorker.controller) resolve()
    })
    // A controller can still be finishing its activation.
    const controller = navigator.serviceWorker.controller!
    if (controller.state !== 'activated') {
      await new Promise<void>((resolve) => {
        const check = () => controller.state === 'activated' && resolve()
        controller.addEventListener('statechange', check)
        check()
      })
    }
  })
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir('test/e2e/screenshots', { recursive: true })
  await page.screenshot({ path: `test/e2e/screenshots/${name}.png`, fullPage: true })
}
