// What a shopper reads: the connection and storage words, the shop's navigation, the order page's
// numbers and what happens after completing it.
import { afterEach, describe, expect, it } from 'vitest'
import { page } from 'vitest/browser'
import { button, fakeAccount, fakeSync, mountApp, text } from './support'

const connection = (host: HTMLElement) => host.querySelector<HTMLElement>('.connection[role="status"]')
const detailsToggle = (host: HTMLElement) => host.querySelector<HTMLButtonElement>('button[aria-label="Connection and storage details"]')
const details = (host: HTMLElement) => host.querySelector<HTMLElement>(`[id="${detailsToggle(host)?.getAttribute('aria-controls')}"]`)
const testId = (host: HTMLElement, id: string) => host.querySelector(`[data-testid="${id}"]`)?.textContent

describe('the connection indicator', () => {
  it('says Online or Offline in a word, and the details open on demand and close with Escape', async () => {
    const { host, online } = await mountApp()
    await expect.poll(() => connection(host)?.textContent).toBe('Online')
    expect(details(host)!.hidden).toBe(true)
    detailsToggle(host)!.click()
    await expect.poll(() => details(host)!.hidden).toBe(false)
    expect(detailsToggle(host)!.getAttribute('aria-expanded')).toBe('true')
    expect(details(host)!.textContent).toContain('Your cart and orders are saved on this device.')
    online.set(false)
    await expect.poll(() => connection(host)?.textContent).toBe('Offline')
    expect(details(host)!.textContent).toContain('the shop keeps working')
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }))
    await expect.poll(() => details(host)!.hidden).toBe(true)
  })

  it.each(['unknown', 'best-effort', 'persistent', 'unsupported'] as const)('does not warn about storage when the answer is %s', async (persistence) => {
    const { host } = await mountApp({ persistence })
    await expect.poll(() => connection(host)?.textContent).toBe('Online')
    expect(details(host)!.textContent).toContain('saved on this device')
    expect(details(host)!.textContent).not.toMatch(/clear|space/)
  })

  it('warns, in the indicator too, when the site is nearly out of space', async () => {
    const { host } = await mountApp({ persistence: 'at-risk' })
    await expect.poll(() => connection(host)?.textContent).toBe('Online, storage running low')
    expect(details(host)!.textContent).toContain('the browser may clear them')
  })
})

describe('the header and the foot of the page', () => {
  it('keeps the devtools out of the shop’s navigation and links them at the foot', async () => {
    const { host } = await mountApp()
    await expect.poll(() => host.querySelector('nav[aria-label="Main"]')?.textContent).toBe('ShopCartOrders')
    const footer = host.querySelector('footer')!
    expect([...footer.querySelectorAll('a')].find((a) => a.textContent === 'Devtools page')?.getAttribute('href')).toBe('#/devtools')
    expect(footer.querySelector('button[aria-keyshortcuts="Alt+Shift+D"]')?.textContent).toBe('Devtools')
  })

  it('offers Install at the foot of the page, not in the header', async () => {
    const { host } = await mountApp({ installable: true })
    await expect.poll(() => button(host.querySelector('footer')!, 'Install the app')).not.toBeNull()
    expect(button(host.querySelector('header')!, 'Install the app')).toBeNull()
  })
})

describe('the order page', () => {
  async function placeOrder(coupon?: string) {
    const mounted = await mountApp()
    await mounted.shop.addItem('bento', 2)
    if (coupon) await mounted.shop.applyCoupon(coupon)
    const orderId = await mounted.shop.checkout()
    window.location.hash = `#/orders/${orderId}`
    await expect.poll(() => testId(mounted.host, 'order-status')).toBe('draft')
    return mounted
  }

  it('shows subtotal, the discount with its coupon, and total, and says what draft means', async () => {
    const { host } = await placeOrder('WELCOME500')
    expect(testId(host, 'order-subtotal')).toBe('¥6,400')
    expect(testId(host, 'order-discount')).toBe('−¥500')
    expect(text(host)).toContain('Discount (WELCOME500)')
    expect(testId(host, 'order-total')).toBe('¥5,900')
    expect(text(host)).toContain('Not confirmed yet')
  })

  it('has no discount line without a coupon', async () => {
    const { host } = await placeOrder()
    expect(testId(host, 'order-total')).toBe('¥6,400')
    expect(testId(host, 'order-discount')).toBeUndefined()
    expect(text(host)).not.toContain('Discount')
  })

  it('confirms a completed order and offers the next step', async () => {
    const { host } = await placeOrder()
    button(host, 'Complete order')!.click()
    await expect.poll(() => testId(host, 'order-status')).toBe('completed')
    await expect.poll(() => text(host)).toContain('Thank you, your order is confirmed')
    expect([...host.querySelectorAll('a')].find((a) => a.textContent === 'Continue shopping')?.getAttribute('href')).toBe('#/')
  })
})

describe('the cart', () => {
  it('has no discount line without a coupon, and one with it', async () => {
    const { host, shop } = await mountApp({ hash: '#/cart' })
    await shop.addItem('sencha', 1)
    await expect.poll(() => testId(host, 'total')).toBe('¥1,200')
    expect(testId(host, 'discount')).toBeUndefined()
    await shop.applyCoupon('WELCOME500')
    await expect.poll(() => testId(host, 'discount')).toBe('−¥500')
  })
})

describe('the header on the narrowest phone', () => {
  const before = { width: window.innerWidth, height: window.innerHeight }
  afterEach(async () => {
    await page.viewport(before.width, before.height)
  })

  it('fits 320 px signed in with a long email and a sync problem, its link included', async () => {
    await page.viewport(320, 640)
    const sync = fakeSync({ status: { connection: 'online', problem: { code: 'forbidden', message: 'Not yours.' } } })
    const { host } = await mountApp({ account: fakeAccount({ id: 'u1', email: 'a.rather.long.address@example.com' }), sync })
    await expect.poll(() => [...host.querySelectorAll('header a')].some((a) => a.textContent === 'See what happened')).toBe(true)
    expect(document.documentElement.scrollWidth).toBeLessThanOrEqual(window.innerWidth)
  })
})
