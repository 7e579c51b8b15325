import { describe, expect, it } from 'vitest'
import { addToCart, baseURL, newContext, openShop, useBrowser } from './browser'

const browser = useBrowser()

describe('the cart screen by keyboard and mouse', () => {
  it('"Skip to content" moves the focus to the main content and stays on the screen', async () => {
    const context = await newContext(browser())
    const page = await openShop(context, '/#/cart')
    await page.keyboard.press('Tab')
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content')
    await page.keyboard.press('Enter')
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('main')
    expect(new URL(page.url()).hash).toBe('#/cart')
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Your cart')
    // The next Tab goes on from there: into the cart, past the header.
    await page.keyboard.press('Tab')
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Browse the shop')
    await context.close()
  })

  for (const viewport of [{ width: 1100, height: 850 }, { width: 390, height: 844 }, { width: 320, height: 700 }])
  it(`after a refused quantity, shows the cart’s quantity again, moves nothing, and the next click lands (${viewport.width} px)`, async () => {
    const context = await browser().newContext({ baseURL: baseURL(), viewport })
    const page = await openShop(context)
    await addToCart(page, 'Sencha green tea, 100 g')
    await addToCart(page, 'Bento box')
    await page.goto('/#/cart')
    const removeBento = page.getByRole('button', { name: 'Remove Bento box' })
    await removeBento.waitFor()
    const before = await removeBento.boundingBox()
    // What is below the message does not move either.
    const coupon = page.getByLabel('Coupon code')
    const couponBefore = await coupon.boundingBox()

    const quantity = page.getByLabel('Quantity of Sencha green tea, 100 g')
    await quantity.fill('-3')
    await quantity.press('Enter')
    const refused = page.getByRole('alert').filter({ hasText: '-3 is not' })
    await refused.waitFor()
    expect(await quantity.inputValue()).toBe('1')
    expect(await removeBento.boundingBox()).toEqual(before)
    expect(await coupon.boundingBox()).toEqual(couponBefore)

    // One click, while the refused field still has the focus: leaving it submits nothing again.
    await removeBento.click()
    await expect.poll(() => page.getByRole('row', { name: /Bento box/ }).count(), { timeout: 5_000 }).toBe(0)
    expect(await page.getByTestId('subtotal').textContent()).toBe('¥1,200')
    expect(await quantity.inputValue()).toBe('1')
    // The message stays, saying which line it is about.
    expect(await refused.textContent()).toContain('Sencha green tea, 100 g')
    await context.close()
  })
})
