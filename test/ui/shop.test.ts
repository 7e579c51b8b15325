// The shop's services as several tabs of one device use them: each Shop is a tab (its own
// connection to one database; other tabs' commits arrive on Node's BroadcastChannel).
import { afterEach, describe, expect, it } from 'vitest'
import { addItem, Cart, CheckedOut, ItemAdded, OrderPlaced } from '../../src/domain'
import { openEventStore } from '../../src/eventstore'
import { SESSION, shopReadModels } from '../../src/projections'
import { initialSyncStatus, type SyncClient, type SyncReport } from '../../src/sync'
import { Shop } from '../../src/ui/Shop'
import { uniqueName } from '../support/stores'

const tabs: Shop[] = []
afterEach(() => {
  for (const tab of tabs.splice(0)) tab.close()
})

async function openTab(database: string): Promise<Shop> {
  const tab = await Shop.open({ database, worker: false })
  tabs.push(tab)
  return tab
}

const shownCart = (tab: Shop) => tab.cart.getState().cartId
const itemCount = (tab: Shop) => tab.cart.getState().itemCount

/** A database as the shop before the Shopper stream left it: cart `cartId` with one sencha, named by the `session` row. */
async function legacyDevice(database: string, cartId: string, { checkedOut }: { checkedOut: boolean }): Promise<void> {
  const store = await openEventStore({ name: database, readModels: shopReadModels })
  await store.append([ItemAdded({ cartId, itemId: 'sencha', quantity: 1, price: 1200 })], { stream: `Cart$${cartId}`, expectedVersion: -1 })
  if (checkedOut) {
    const lines = [{ itemId: 'sencha', quantity: 1, price: 1200 }]
    await store.append([CheckedOut({ cartId, orderId: 'o-legacy' })], { stream: `Cart$${cartId}`, expectedVersion: 0 })
    await store.append([OrderPlaced({ orderId: 'o-legacy', cartId, lines, subtotal: 1200, discount: 0, total: 1200 })], { stream: 'Order$o-legacy', expectedVersion: -1 })
  }
  await store.db.table(SESSION).put({ key: 'cart', value: cartId })
  store.close()
}

describe('the current cart, across the tabs of one device', () => {
  it('puts three tabs opened at the same moment on a fresh device in one cart, so an add shows in all of them', async () => {
    const database = uniqueName()
    const [first, second, third] = await Promise.all([openTab(database), openTab(database), openTab(database)])
    expect(shownCart(second!)).toBe(shownCart(first!))
    expect(shownCart(third!)).toBe(shownCart(first!))
    await second!.addItem('bento')
    for (const tab of [first!, second!, third!]) await expect.poll(() => itemCount(tab)).toBe(1)
  })

  it('lets another tab add at once after a checkout: it is on the new cart, not the checked-out one', async () => {
    const database = uniqueName()
    const first = await openTab(database)
    const second = await openTab(database)
    await first.addItem('hojicha')
    await expect.poll(() => itemCount(second)).toBe(1)
    const checkedOut = shownCart(first)
    await first.checkout()
    expect(shownCart(first)).not.toBe(checkedOut)
    // The person clicks "Add to cart" in the other tab straight away.
    await second.addItem('yunomi')
    expect(shownCart(second)).toBe(shownCart(first))
    expect(itemCount(second)).toBe(1)
    await expect.poll(() => itemCount(first)).toBe(1)
    expect((await first.repository.load(Cart, checkedOut!)).lines.map((l) => l.itemId)).toEqual(['hojicha'])
  })

  it('follows another tab’s checkout without being asked: it shows the new, empty cart', async () => {
    const database = uniqueName()
    const first = await openTab(database)
    const second = await openTab(database)
    await first.addItem('hojicha')
    await first.checkout()
    await expect.poll(() => shownCart(second)).toBe(shownCart(first))
    expect(itemCount(second)).toBe(0)
  })

  it('reopens a device left with a checked-out cart as its current one (the tab died between the old two writes) and adds to a new cart', async () => {
    const database = uniqueName()
    await legacyDevice(database, 'legacy', { checkedOut: true })
    const tab = await openTab(database)
    expect(shownCart(tab)).not.toBe('legacy')
    await tab.addItem('daruma')
    expect(itemCount(tab)).toBe(1)
  })

  it('keeps the cart a device’s `session` row names when it has no Shopper stream yet', async () => {
    const database = uniqueName()
    await legacyDevice(database, 'legacy', { checkedOut: false })
    const tab = await openTab(database)
    expect(shownCart(tab)).toBe('legacy')
    expect(itemCount(tab)).toBe(1)
    await tab.addItem('sencha')
    expect(itemCount(tab)).toBe(2)
  })
})

describe('a signed-in shop, when sync rewrote its streams', () => {
  /** A SyncClient stand-in: the reports the engine keeps, and nothing else to do. */
  function syncWith(reports: SyncReport[]): SyncClient {
    const view = { status: { ...initialSyncStatus, reports }, waiting: 0, online: true, state: 'synced' as const }
    return { getSnapshot: () => view, subscribe: () => () => undefined, onChanged: () => () => undefined, waitFor: async () => view, syncNow: () => undefined, stop: () => undefined } as unknown as SyncClient
  }

  it('moves the lines of a cart whose start another device superseded into the current cart, once', async () => {
    const superseded = 'superseded-cart'
    const dropped: SyncReport = {
      at: new Date().toISOString(),
      kind: 'dropped',
      stream: 'Shopper$u1',
      eventId: 'e-started',
      type: 'Shopper.CartStarted',
      data: { shopperId: 'u1', cartId: superseded, previousCartId: 'older' },
      reason: { code: 'conflict', message: 'The current cart changed.', error: 'Shopper.CurrentCartChangedError' },
    }
    const tab = await Shop.open({ database: uniqueName(), worker: false, shopperId: 'u1', sync: () => syncWith([dropped]), firstPullWait: 0 })
    tabs.push(tab)
    await tab.addItem('sencha')
    await addItem(tab.repository, { cartId: superseded, itemId: 'sencha', quantity: 2, price: 1200 })
    await addItem(tab.repository, { cartId: superseded, itemId: 'hojicha', quantity: 1, price: 900 })
    await tab.reload({ rewritten: true })
    expect(tab.cart.getState().lines.map((l) => [l.itemId, l.quantity])).toEqual([
      ['sencha', 3],
      ['hojicha', 1],
    ])
    expect((await tab.repository.load(Cart, superseded)).lines).toEqual([])
    // Heard again (another sync change), nothing moves twice.
    await tab.reload({ rewritten: true })
    expect(tab.cart.getState().itemCount).toBe(4)
  })
})
