// Sync as the app runs it: the engine in the leading projection worker (in-process, the same host
// and protocol), a page following it with a SyncClient over BroadcastChannel, the real server.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { addItem, removeItem } from '../../src/domain'
import { AggregateRepository, openEventStore, ProjectionHost, type EventStore } from '../../src/eventstore'
import { deferredProjections } from '../../src/projections'
import { httpTransport, SyncClient, syncOnLead, type SyncView } from '../../src/sync'
import { shopDatabase, shopSync } from '../../src/worker/shopSync'
import { FakeLocks } from '../support/FakeLocks'
import { openTestStore, uniqueName } from '../support/stores'
import { openDevice, testServer } from './support/devices'

const server = testServer()
const stops: Array<() => void> = []
afterEach(() => {
  for (const stop of stops.splice(0)) stop()
})

/** A tab of a signed-in device: its page store and SyncClient, and its worker leading with sync. */
/** The device's network, as `navigator.onLine` and its online/offline events show it to the page. */
class Network {
  private listeners = new Set<() => void>()
  private value = true
  get online(): boolean {
    return this.value
  }
  set online(value: boolean) {
    this.value = value
    for (const listener of this.listeners) listener()
  }
  listen(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }
}

async function tab(database: string, cookie: string, network: Network, gate: { push?: Promise<void> } = {}) {
  const transport = httpTransport({
    baseUrl: 'http://kiroku.test',
    fetch: async (url, init) => {
      if (!network.online) throw new TypeError('Failed to fetch')
      if (url.endsWith('/api/sync/push')) await gate.push
      const headers = new Headers(init?.headers)
      headers.set('cookie', cookie)
      return server.app.request(url, { ...init, headers })
    },
  })
  const host = new ProjectionHost({
    openStore: (name) => openEventStore({ name, readModels: shopDatabase }),
    projections: deferredProjections,
    locks: new FakeLocks(),
    openChannel: (name) => new BroadcastChannel(name) as never,
    post: () => undefined,
    runner: { sleep: async () => undefined },
    onLead: syncOnLead({ definition: shopSync, transport, live: undefined as never }),
  })
  stops.push(() => host.stop())
  void host.handle({ type: 'start', database, options: { sync: { userId: 'u' } } })
  const store: EventStore = await openTestStore({ name: database, readModels: shopDatabase })
  const online = { get: () => network.online, subscribe: (listener: () => void) => network.listen(listener) }
  const client = new SyncClient(store, { syncs: shopSync.syncs, online })
  stops.push(() => client.stop())
  return { store, repository: new AggregateRepository(store), client, online }
}

/** Another tab of the same device: its own connection and SyncClient, no worker of its own leading. */
async function secondTab(database: string, online: ConstructorParameters<typeof SyncClient>[1]['online']) {
  const store = await openTestStore({ name: database, readModels: shopDatabase })
  const client = new SyncClient(store, { syncs: shopSync.syncs, ...(online ? { online } : {}) })
  stops.push(() => client.stop())
  return { store, client }
}

const until = (client: SyncClient, predicate: (view: SyncView) => boolean) =>
  vi.waitFor(
    () => {
      const view = client.getSnapshot()
      const { connection, pending, cursor, head, lastPull, problem } = view.status
      expect(predicate(view), JSON.stringify({ state: view.state, waiting: view.waiting, connection, pending, cursor, head, lastPull, problem })).toBe(true)
    },
    { timeout: 10_000, interval: 20 },
  )

describe('sync in the leading worker, followed by a page', () => {
  it('says changes wait from the page’s own commit on, and synced once the server has them', { timeout: 30_000 }, async () => {
    const { cookie } = await server.signUp(`lead${crypto.randomUUID()}@example.com`)
    const network = new Network()
    const page = await tab(uniqueName(), cookie, network)
    await until(page.client, (view) => view.state === 'synced')
    network.online = false
    const cartId = crypto.randomUUID()
    await addItem(page.repository, { cartId, itemId: 'sencha', quantity: 1, price: 1200 })
    // At once, before the engine has looked: never "synced" while this page's change waits.
    expect(page.client.getSnapshot().state).not.toBe('synced')
    expect(page.client.getSnapshot().waiting).toBeGreaterThanOrEqual(1)
    await until(page.client, (view) => view.state === 'offline' && view.status.pending === 1)
    // Back online: the page asks the engine to sync at once (as the browser's online event does).
    network.online = true
    await until(page.client, (view) => view.state === 'synced' && view.waiting === 0)

    // Another device's change arrives, and the page hears the engine wrote it.
    const laptop = await openDevice(server, cookie, 'laptop')
    await laptop.sync()
    const heard = vi.fn()
    stops.push(page.client.onChanged(heard))
    await removeItem(laptop.repository, { cartId, itemId: 'sencha' })
    await laptop.sync()
    page.client.syncNow()
    await vi.waitFor(() => expect(heard).toHaveBeenCalledWith(expect.objectContaining({ type: 'sync-changed', streams: [`Cart$${cartId}`], rewritten: false })))
    expect(await page.store.read.stream(`Cart$${cartId}`).count()).toBe(2)
  })
  it('says changes wait in every tab of the device while a push is on its way', { timeout: 30_000 }, async () => {
    const { cookie } = await server.signUp(`tabs${crypto.randomUUID()}@example.com`)
    const database = uniqueName()
    let release!: () => void
    const gate: { push?: Promise<void> } = {}
    const first = await tab(database, cookie, new Network(), gate)
    const second = await secondTab(database, first.online)
    await until(second.client, (view) => view.state === 'synced')
    gate.push = new Promise<void>((resolve) => (release = resolve))
    const seen = new Set<string>()
    const offs = [first.client, second.client].map((client) => client.subscribe((view) => void seen.add(view.state)))
    await addItem(first.repository, { cartId: crypto.randomUUID(), itemId: 'sencha', quantity: 1, price: 1200 })
    await until(second.client, (view) => view.state === 'waiting' && view.status.pending === 1)
    expect(first.client.getSnapshot().state).toBe('waiting')
    seen.clear()
    await new Promise((resolve) => setTimeout(resolve, 300))
    // The push is still unanswered: no tab has said synced meanwhile.
    expect([...seen]).not.toContain('synced')
    release()
    await until(second.client, (view) => view.state === 'synced' && view.waiting === 0)
    await until(first.client, (view) => view.state === 'synced' && view.waiting === 0)
    for (const off of offs) off()
  })
})
