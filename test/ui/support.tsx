// The shop's App over a real store, with a fake account and a fake sync the test moves by hand.
import { createRoot, type Root } from 'react-dom/client'
import { afterEach, vi } from 'vitest'
import { DispatchLog } from '../../src/eventstore'
import { valueSource, type AppUpdates, type Installer, type Persistence, type StoragePersistence } from '../../src/pwa'
import { initialSyncStatus, syncStateOf, type SyncClient, type SyncReport, type SyncStatus, type SyncView, type User } from '../../src/sync'
import { App } from '../../src/ui/App'
import { Shop } from '../../src/ui/Shop'
import { ServicesProvider, type AccountSession, type AppServices } from '../../src/ui/ShopContext'
import { uniqueName } from '../support/stores'

const mounted: Array<{ root: Root; shop: Shop; host: HTMLElement }> = []
afterEach(() => {
  for (const { root, shop, host } of mounted.splice(0)) {
    root.unmount()
    shop.close()
    host.remove()
  }
  window.location.hash = ''
  for (const key of Object.keys(localStorage)) if (key.startsWith('kiroku:sync-reports-seen:')) localStorage.removeItem(key)
  vi.restoreAllMocks()
})

/** An AccountSession whose calls are spies; each resolves unless the test says otherwise. */
export function fakeAccount(user: User | null = null) {
  return {
    user,
    signUp: vi.fn<AccountSession['signUp']>(async () => undefined),
    signIn: vi.fn<AccountSession['signIn']>(async () => undefined),
    signOut: vi.fn<AccountSession['signOut']>(async () => undefined),
  } satisfies AccountSession
}

/** What the engine would say: its status, the changes waiting, and whether the browser is online. */
export interface FakeSyncState {
  status?: Partial<SyncStatus>
  waiting?: number
  online?: boolean
}

/** A view as SyncClient makes it (its state from syncStateOf). */
export function syncView({ status: patch = {}, waiting, online = true }: FakeSyncState = {}): SyncView {
  const status: SyncStatus = { ...initialSyncStatus, engine: 'engine-1', ...patch }
  const count = waiting ?? status.pending
  return { status, waiting: count, online, state: syncStateOf(status, count, online) }
}

/** A SyncClient-like source: getSnapshot, subscribe, syncNow (a spy), and `set` to move it on. */
export function fakeSync(state: FakeSyncState = {}) {
  let view = syncView(state)
  const listeners = new Set<(view: SyncView) => void>()
  const fake = {
    getSnapshot: () => view,
    subscribe: (listener: (view: SyncView) => void) => {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    syncNow: vi.fn(),
    set(next: FakeSyncState) {
      view = syncView(next)
      for (const listener of listeners) listener(view)
    },
  }
  return fake
}

export const asClient = (sync: ReturnType<typeof fakeSync>): SyncClient => sync as unknown as SyncClient

/** The synced state: online, nothing waits, everything pulled. */
export const SYNCED: FakeSyncState = { status: { connection: 'online', live: 'open', head: 7, cursor: 7, scanned: 12 } }

export function report(patch: Partial<SyncReport> = {}): SyncReport {
  return {
    at: '2025-03-01T10:00:00.000Z',
    kind: 'dropped',
    stream: 'Cart$c1',
    eventId: 'e1',
    type: 'Cart.ItemQuantityUpdated',
    data: { cartId: 'c1', itemId: 'sencha', quantity: 3 },
    reason: { code: 'conflict', message: 'That item (sencha) is no longer in the cart.', error: 'Cart.ItemNotInCartError' },
    ...patch,
  }
}

export interface MountOptions {
  account?: AccountSession
  sync?: ReturnType<typeof fakeSync> | null
  online?: boolean
  hash?: string
  /** What the browser answered about keeping the site's data. */
  persistence?: Persistence
  /** Whether the browser offers to install the app. */
  installable?: boolean
}

/** Renders the App with these services over a fresh store; resolves once the header shows. */
export async function mountApp({ account = fakeAccount(), sync = null, online = true, hash = '', persistence = 'unknown', installable = false }: MountOptions = {}) {
  window.location.hash = hash
  const shop = await Shop.open({ database: uniqueName(), worker: false })
  const onlineSource = valueSource(online)
  const services: AppServices = {
    shop,
    online: onlineSource,
    storage: { ...valueSource<Persistence>(persistence), request: async () => persistence } satisfies StoragePersistence,
    installer: { ...valueSource(installable), install: async () => false } as Installer,
    updates: { ...valueSource({ updateReady: false, offlineReady: false }), reload: () => undefined } as AppUpdates,
    dispatches: new DispatchLog(),
    outdated: valueSource(false),
    account,
    sync: sync && asClient(sync),
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
  return { host, shop, online: onlineSource }
}

/** The control a <label> with exactly this text names. */
export function field(host: HTMLElement, label: string): HTMLInputElement {
  const element = [...host.querySelectorAll('label')].find((l) => l.textContent?.trim() === label)
  const target = element?.htmlFor ? host.querySelector<HTMLInputElement>(`[id="${element.htmlFor}"]`) : null
  if (!target) throw new Error(`no control labelled "${label}"`)
  return target
}

/** A button by its text; null while there is none. */
export const button = (host: HTMLElement, name: string): HTMLButtonElement | null =>
  [...host.querySelectorAll('button')].find((b) => b.textContent?.trim() === name) ?? null

/** Types into a controlled input as a person would, so React sees it. */
export function type(input: HTMLInputElement, value: string): void {
  Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')?.set?.call(input, value)
  input.dispatchEvent(new Event('input', { bubbles: true }))
}

/** The header's sync indicator (role="status", named "Sync: …"). */
export const indicator = (host: HTMLElement): HTMLElement | null =>
  [...host.querySelectorAll<HTMLElement>('[role="status"][aria-label]')].find((el) => el.getAttribute('aria-label')?.startsWith('Sync:')) ?? null

/** The elements an element's aria-describedby points at, as text. */
export const description = (element: Element): string =>
  (element.getAttribute('aria-describedby') ?? '')
    .split(/\s+/)
    .filter(Boolean)
    .map((id) => document.getElementById(id)?.textContent ?? '')
    .join(' ')

export const text = (host: HTMLElement): string => host.textContent ?? ''
