// A backup of the shop restored into a fresh browser profile, as a person does it: check out,
// export NDJSON from the devtools, open the shop in a new profile, import the file.
import { describe, expect, it } from 'vitest'
import { addToCart, newContext, openShop, useBrowser } from './browser'

const browser = useBrowser()

describe('restoring a backup', () => {
  it('restores a shop exported after a checkout into a fresh profile: its current cart and its orders show', async () => {
    const context = await newContext(browser())
    const page = await openShop(context)
    await addToCart(page, 'Kiroku notebook', 2)
    await page.goto('/#/cart')
    await page.getByRole('button', { name: 'Check out' }).click()
    await expect.poll(() => page.getByTestId('order-status').textContent()).toBe('draft')
    await page.goto('/#/')
    await addToCart(page, 'Uchiwa fan')
    await page.goto('/#/devtools')
    const downloading = page.waitForEvent('download')
    await page.getByRole('button', { name: 'Export NDJSON' }).click()
    const file = await (await downloading).path()

    const fresh = await newContext(browser())
    const restored = await openShop(fresh, '/#/devtools')
    await restored.getByLabel('Import NDJSON').setInputFiles(file)
    await restored.getByText(/^Imported \d+ events in \d+ streams from /).waitFor()
    expect(await restored.getByRole('alert').count()).toBe(0)
    // The current cart as it was: the fan added after the checkout, in the cart the checkout started.
    await expect.poll(() => restored.getByRole('link', { name: /^Cart/ }).textContent()).toBe('Cart (1)')
    await restored.getByRole('link', { name: 'Orders', exact: true }).click()
    const row = restored.getByRole('row').filter({ hasText: '¥1,600' })
    await expect.poll(() => row.getByText('draft').count(), { timeout: 10_000 }).toBe(1)
    await restored.goto('/#/cart')
    await restored.getByRole('row', { name: /Uchiwa fan/ }).waitFor()
    await Promise.all([context.close(), fresh.close()])
  })
})
