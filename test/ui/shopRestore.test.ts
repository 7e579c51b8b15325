// A backup of the shop (the devtools' NDJSON export) restored into a fresh install: the shop's
// services, as a tab uses them, on fake-indexeddb.
import { afterEach, describe, expect, it } from 'vitest'
import { exportNdjsonText, importNdjson } from '../../src/eventstore'
import { Shop } from '../../src/ui/Shop'
import { uniqueName } from '../support/stores'

const tabs: Shop[] = []
afterEach(() => {
  for (const tab of tabs.splice(0)) tab.close()
})

async function openTab(database = uniqueName()): Promise<Shop> {
  const tab = await Shop.open({ database, worker: false })
  tabs.push(tab)
  return tab
}

const lines = (tab: Shop) => tab.cart.getState().lines.map((line) => [line.itemId, line.quantity])

describe('restoring a backup of the shop', () => {
  it('writes nothing when a fresh install opens: its first cart starts with the first command', async () => {
    const tab = await openTab()
    expect(await tab.store.read.count()).toBe(0)
    expect(tab.cart.getState()).toMatchObject({ cartId: null, itemCount: 0 })
    await tab.addItem('sencha', 2)
    expect(tab.cart.getState()).toMatchObject({ itemCount: 2 })
    expect(tab.cart.getState().cartId).not.toBeNull()
  })

  it('imports into a fresh install, which shows the restored current cart at once and goes on with it', async () => {
    const before = await openTab()
    await before.addItem('sencha')
    const orderId = await before.checkout()
    await before.addItem('hojicha', 3)
    const currentCart = before.cart.getState().cartId
    const backup = await exportNdjsonText(before.store)

    const fresh = await openTab()
    const report = await importNdjson(fresh.store, backup)
    expect(report.events).toBe(await before.store.read.count())
    await expect.poll(() => fresh.cart.getState().cartId).toBe(currentCart)
    expect(lines(fresh)).toEqual([['hojicha', 3]])
    expect(await fresh.store.streamVersion(`Order$${orderId}`)).toBe(0)
    // The next command goes on in the restored cart, as it would have on the device backed up.
    await fresh.addItem('hojicha')
    expect(fresh.cart.getState().cartId).toBe(currentCart)
    expect(lines(fresh)).toEqual([['hojicha', 4]])
  })

  it('shows a restore made in another tab of the fresh install', async () => {
    const before = await openTab()
    await before.addItem('daruma', 2)
    const backup = await exportNdjsonText(before.store)
    const database = uniqueName()
    const [restoring, watching] = [await openTab(database), await openTab(database)]
    await importNdjson(restoring.store, backup)
    await expect.poll(() => watching.cart.getState().cartId).toBe(before.cart.getState().cartId)
    expect(lines(watching)).toEqual([['daruma', 2]])
  })
})
