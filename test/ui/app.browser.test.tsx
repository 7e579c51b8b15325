// The app's screens in Chromium over a real store: what a person sees when things go wrong.
import { createRoot, type Root } from 'react-dom/client'
import { afterEach, describe, expect, it } from 'vitest'
import { DispatchLog } from '../../src/eventstore'
import { shopDatabase } from '../../src/worker/shopSync'
import { valueSource, type AppUpdates, type Installer, type StoragePersistence } from '../../src/pwa'
import { App } from '../../src/ui/App'
import { Shop } from '../../src/ui/Shop'
import { ServicesProvider, type AppServices } from '../../src/ui/ShopContext'
import { withFullDisk } from '../support/faults'
import { openTestStore, uniqueName } from '../support/stores'

const mounted: Array<{ root: Root; shop: Shop; host: HTMLElement }> = []
afterEach(() => {
  for (const { root, shop, host } of mounted.splice(0)) {
    root.unmount()
    shop.close()
    host.remove()
  }
  window.location.hash = ''
})

async function mount(database = uniqueName()) {
  const outdated = valueSource(false)
  const shop = await Shop.open({ database, worker: false, onVersionChange: () => outdated.set(true) })
  const services: AppServices = {
    shop,
    online: valueSource(true),
    storage: { ...valueSource<'unknown'>('unknown'), request: async () => 'unknown' } as unknown as StoragePersistence,
    installer: { ...valueSource(false), install: async () => false } as Installer,
    updates: { ...valueSource({ updateReady: false, offlineReady: false }), reload: () => undefined } as AppUpdates,
    dispatches: new DispatchLog(),
    outdated,
    account: { user: null, signUp: async () => undefined, signIn: async () => undefined, signOut: async () => undefined },
    sync: null,
  }
  const host = document.createElement('div')
  document.body.append(host)
  const root = createRoot(host)
  root.render(
    <ServicesProvider value={services}>
      <App />
    </ServicesProvider>,
  )
  mounted.push({ root, shop, host })
  return { host, shop, database }
}

const button = (host: HTMLElement, label: string) => host.querySelector<HTMLButtonElement>(`button[aria-label="${label}"]`)
const text = (host: HTMLElement) => host.textContent ?? ''

describe('the app when things go wrong', () => {
  it('says the last change was not saved when the disk is full, and keeps working after', async () => {
    const { host } = await mount()
    await expect.poll(() => button(host, 'Add to cart: Bento box')).not.toBeNull()
    await withFullDisk(async () => {
      button(host, 'Add to cart: Bento box')!.click()
      await expect.poll(() => text(host)).toContain('the last change was not saved')
    })
    expect(text(host)).not.toContain('in your cart')
    button(host, 'Add to cart: Bento box')!.click()
    await expect.poll(() => text(host)).toContain('1 in your cart')
    expect(text(host)).not.toContain('the last change was not saved')
  })

  it('tells this tab to reload when another tab opens a newer version of the database', async () => {
    const { host, database } = await mount()
    await expect.poll(() => text(host)).toContain('Shop')
    await openTestStore({ name: database, readModels: { version: shopDatabase.version + 1, stores: { ...shopDatabase.stores, extra: 'id' } } })
    await expect.poll(() => text(host)).toContain('A newer version of the shop is open in another tab')
  })

  it('shows a recoverable error screen for an unexpected failure, and nothing is lost', async () => {
    const { host, shop } = await mount()
    await expect.poll(() => button(host, 'Add to cart: Daruma doll')).not.toBeNull()
    button(host, 'Add to cart: Daruma doll')!.click()
    await expect.poll(() => text(host)).toContain('1 in your cart')
    const addItem = shop.addItem.bind(shop)
    shop.addItem = () => Promise.reject(new TypeError('something nobody expected'))
    button(host, 'Add to cart: Daruma doll')!.click()
    await expect.poll(() => text(host)).toContain('Something went wrong')
    expect(text(host)).toContain('something nobody expected')
    shop.addItem = addItem
    ;[...host.querySelectorAll('button')].find((b) => b.textContent === 'Try again')!.click()
    await expect.poll(() => text(host)).toContain('1 in your cart')
  })
})

describe('the order screen', () => {
  it('shows the order again whenever its stream moves on, whoever moved it', async () => {
    const { host, shop } = await mount()
    await expect.poll(() => button(host, 'Add to cart: Bento box')).not.toBeNull()
    button(host, 'Add to cart: Bento box')!.click()
    await expect.poll(() => text(host)).toContain('1 in your cart')
    window.location.hash = '#/cart'
    await expect.poll(() => [...host.querySelectorAll('button')].find((b) => b.textContent === 'Check out')).toBeTruthy()
    ;[...host.querySelectorAll('button')].find((b) => b.textContent === 'Check out')!.click()
    await expect.poll(() => host.querySelector('[data-testid="order-status"]')?.textContent).toBe('draft')
    const orderId = decodeURIComponent(window.location.hash.split('/').at(-1)!)
    // Not through the screen's button: the screen hears of it through the stream's version.
    await shop.completeOrder(orderId)
    await expect.poll(() => host.querySelector('[data-testid="order-status"]')?.textContent).toBe('completed')
  })
})
