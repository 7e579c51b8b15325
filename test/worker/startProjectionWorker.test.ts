import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  AggregateRepository,
  connectProjectionWorker,
  openEventStore,
  type PageMessage,
  type ProjectionHost,
  type ProjectionsView,
  type ProjectionWorkerClient,
  startProjectionWorker,
  type EventStore,
  type WorkerMessage,
  type WorkerScope,
} from '../../src/eventstore'
import { addItem, checkout } from '../../src/domain'
import { ORDERS, deferredProjections, shopReadModels } from '../../src/projections'
import { APPLIES, appliesProjection, countingReadModels } from './appliesProjection'
import { FakeLocks } from '../support/FakeLocks'
import { openTestStore, uniqueName } from '../support/stores'

const hosts: ProjectionHost[] = []
const clients: ProjectionWorkerClient[] = []
afterEach(() => {
  vi.unstubAllGlobals()
  for (const client of clients.splice(0)) client.stop()
  for (const host of hosts.splice(0)) host.stop()
})

/**
 * A tab's worker, in-process: startProjectionWorker on a scope whose messages go to and from a
 * stand-in for the page's Worker object, cloned and a microtask later as postMessage would.
 */
function inProcessWorker(locks: FakeLocks, openStore: (name: string) => Promise<EventStore>) {
  const toWorker: Array<(event: { data: PageMessage }) => void> = []
  const worker = {
    onmessage: null as ((event: { data: WorkerMessage }) => void) | null,
    onerror: null,
    postMessage: (message: PageMessage) => queueMicrotask(() => toWorker.forEach((listener) => listener({ data: structuredClone(message) }))),
    // A terminated worker ends whatever it held: here, the host's lock, channel and store.
    terminate: () => host.stop(),
  }
  const scope: WorkerScope = {
    postMessage: (message) => queueMicrotask(() => worker.onmessage?.({ data: structuredClone(message) })),
    addEventListener: (_type, listener) => void toWorker.push(listener),
  }
  const host = startProjectionWorker({
    openStore,
    projections: [...deferredProjections, appliesProjection],
    scope,
    locks,
    runner: { sleep: async () => undefined },
  })
  hosts.push(host)
  return worker as unknown as Worker
}

const caughtUpTo = (position: number) => (view: ProjectionsView) =>
  view.projections.length > 0 && view.projections.every((p) => p.state === 'idle' && p.checkpoint >= position)

async function placeOrder(store: EventStore, id: string) {
  const repository = new AggregateRepository(store)
  await addItem(repository, { cartId: `cart-${id}`, itemId: 'hashi', quantity: 1, price: 700 })
  await checkout(store, repository, { cartId: `cart-${id}`, orderId: id })
}

const head = async (store: EventStore) => (await store.read.last())?.globalPosition ?? 0

describe('startProjectionWorker and connectProjectionWorker', () => {
  it('run the deferred projections from a page’s one line and a worker entry’s one call', async () => {
    const name = uniqueName()
    const store = await openTestStore({ name, readModels: countingReadModels })
    const locks = new FakeLocks()
    const client = connectProjectionWorker(store, () => inProcessWorker(locks, (database) => openEventStore({ name: database, readModels: countingReadModels })))
    clients.push(client)
    await client.waitFor((view) => view.leadsHere && view.projections.length > 0)
    await placeOrder(store, 'o1')
    await client.waitFor(caughtUpTo(await head(store)))
    expect(await store.db.table(ORDERS).get('o1')).toMatchObject({ status: 'draft', total: 700 })
    expect((await store.db.table(APPLIES).toArray()).map((row) => row.times)).toEqual([1])
  })

  it('applies a page’s commits once when the host shares the page’s store and hears them twice', async () => {
    const name = uniqueName()
    const store = await openTestStore({ name, readModels: countingReadModels })
    // The host runs on the page's own store: its runner hears the commits, and the page announces them too.
    const client = connectProjectionWorker(store, () => inProcessWorker(new FakeLocks(), async () => store))
    clients.push(client)
    await client.waitFor((view) => view.leadsHere && view.projections.length > 0)
    for (const id of ['s1', 's2', 's3']) await placeOrder(store, id)
    await client.waitFor(caughtUpTo(await head(store)))
    expect(await store.db.table(ORDERS).count()).toBe(3)
    expect((await store.db.table(APPLIES).toArray()).map((row) => row.times)).toEqual([1, 1, 1])
  })

  it('says plainly when the browser has no Web Locks', () => {
    vi.stubGlobal('navigator', {})
    const scope: WorkerScope = { postMessage: () => undefined, addEventListener: () => undefined }
    const openStore = () => openEventStore({ name: uniqueName(), readModels: shopReadModels })
    expect(() => startProjectionWorker({ openStore, projections: deferredProjections, scope })).toThrow('needs the Web Locks API (navigator.locks)')
  })
})
