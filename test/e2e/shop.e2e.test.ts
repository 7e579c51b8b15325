import { describe, expect, it } from 'vitest'
import { addToCart, newContext, openShop, screenshot, waitForServiceWorker, useBrowser } from './browser'

const browser = useBrowser()

describe('a person using the shop', () => {
  it('adds items, is told an unknown coupon does not exist, applies a real one and sees the total', async () => {
    const context = await newContext(browser())
    const page = await openShop(context)
    await addToCart(page, 'Sencha green tea, 100 g')
    await addToCart(page, 'Bento box', 2)
    await screenshot(page, 'catalog')
    await page.getByRole('link', { name: /^Cart/ }).click()
    await expect.poll(() => page.getByRole('link', { name: /^Cart/ }).textContent()).toBe('Cart (3)')
    await expect.poll(() => page.getByTestId('subtotal').textContent()).toBe('¥7,600')

    await page.getByLabel('Coupon code').fill('FREESTUFF')
    await page.getByRole('button', { name: 'Apply' }).click()
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('There is no coupon "FREESTUFF"')
    expect(await page.getByTestId('total').textContent()).toBe('¥7,600')

    await page.getByLabel('Coupon code').fill('welcome500')
    await page.getByRole('button', { name: 'Apply' }).click()
    await page.getByText('Coupon WELCOME500 applied.').waitFor()
    expect(await page.getByTestId('discount').textContent()).toBe('−¥500')
    expect(await page.getByTestId('total').textContent()).toBe('¥7,100')

    await page.getByRole('button', { name: 'One more Sencha green tea, 100 g' }).click()
    await expect.poll(() => page.getByTestId('total').textContent()).toBe('¥8,300')
    await page.getByRole('button', { name: 'Remove Bento box' }).click()
    await expect.poll(() => page.getByTestId('total').textContent()).toBe('¥1,900')
    await screenshot(page, 'cart')
    await context.close()
  })

  it('keeps working offline: the shell and the cart come back after a reload, and edits are kept', async () => {
    const context = await newContext(browser())
    const page = await openShop(context)
    await waitForServiceWorker(page)
    await addToCart(page, 'Daruma doll')

    await context.setOffline(true)
    await page.reload()
    await page.getByRole('heading', { name: 'Shop' }).waitFor()
    expect(await page.getByRole('status').first().textContent()).toContain('Offline')
    expect(await page.getByRole('listitem', { name: 'Daruma doll' }).getByText('1 in your cart').count()).toBe(1)

    await addToCart(page, 'Uchiwa fan')
    await page.goto('/#/cart')
    await page.reload()
    await expect.poll(() => page.getByTestId('total').textContent()).toBe('¥3,100')
    await screenshot(page, 'cart-offline')
    await context.close()
  })

  it('shows a change made in one tab in the other, without a reload', async () => {
    const context = await newContext(browser())
    const first = await openShop(context)
    const second = await openShop(context, '/#/cart')
    await addToCart(first, 'Chopsticks, pair')
    await expect.poll(() => second.getByTestId('total').textContent(), { timeout: 10_000 }).toBe('¥700')
    await context.close()
  })

  it('loses no item when two tabs add to the same cart at the same time', async () => {
    const context = await newContext(browser())
    const first = await openShop(context)
    const second = await openShop(context)
    const names = ['Sencha green tea, 100 g', 'Ceremonial matcha, 30 g', 'Hojicha roasted tea, 100 g', 'Yunomi teacup']
    // Each tab clicks two buttons in the same instant, both tabs at once: four commands race on one cart.
    const clickAll = (labels: string[]) =>
      labels.forEach((label) => document.querySelector<HTMLButtonElement>(`button[aria-label="Add to cart: ${label}"]`)!.click())
    await Promise.all([first.evaluate(clickAll, [names[0]!, names[2]!]), second.evaluate(clickAll, [names[1]!, names[3]!])])
    await first.goto('/#/cart')
    await expect.poll(() => first.getByRole('row').count(), { timeout: 10_000 }).toBe(names.length + 1)
    await expect.poll(() => first.getByTestId('subtotal').textContent()).toBe('¥6,700')
    await second.goto('/#/cart')
    await expect.poll(() => second.getByTestId('subtotal').textContent(), { timeout: 10_000 }).toBe('¥6,700')
    await context.close()
  })

  it('checks out, completes the order, and finds it completed in the orders list', async () => {
    const context = await newContext(browser())
    const page = await openShop(context)
    await addToCart(page, 'Kiroku notebook', 2)
    await page.goto('/#/cart')
    await page.getByRole('button', { name: 'Check out' }).click()
    await expect.poll(() => page.getByTestId('order-status').textContent()).toBe('draft')
    await screenshot(page, 'order')
    await page.getByRole('button', { name: 'Complete order' }).click()
    await expect.poll(() => page.getByTestId('order-status').textContent()).toBe('completed')
    expect(await page.getByRole('link', { name: /^Cart/ }).textContent()).toBe('Cart')

    await page.getByRole('link', { name: 'Orders', exact: true }).click()
    const row = page.getByRole('row').filter({ hasText: '¥1,600' })
    await expect.poll(() => row.getByText('completed').count(), { timeout: 10_000 }).toBe(1)
    expect(await row.getByRole('cell').nth(1).textContent()).toBe('2')
    await screenshot(page, 'orders')
    await context.close()
  })
})
