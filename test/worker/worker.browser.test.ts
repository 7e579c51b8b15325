// In headless Chromium: real Workers, Web Locks and BroadcastChannel. Each client stands for a tab.
import { afterEach, describe, expect, it } from 'vitest'
import { AggregateRepository, type ClientOptions, type EventStore, type ProjectionsView, ProjectionWorkerClient, type ReadModelSchema } from '../../src/eventstore'
import { OrderPlaced, addItem, checkout, completeOrder } from '../../src/domain'
import { ORDERS, type OrderRow } from '../../src/projections'
import { shopDatabase } from '../../src/worker/shopSync'
import { APPLIES, countingReadModels } from './appliesProjection'
import { openTestStore, uniqueName } from '../support/stores'

const clients: ProjectionWorkerClient[] = []
afterEach(() => {
  for (const client of clients.splice(0)) client.stop()
})

/** The shop's own worker entry, as src/ui/Shop.ts starts it. */
const shopWorker: ClientOptions = {
  createWorker: () => new Worker(new URL('../../src/worker/projections.worker.ts', import.meta.url), { type: 'module', name: 'kiroku-projections' }),
}

function tab(store: EventStore, options: ClientOptions = shopWorker): ProjectionWorkerClient {
  const client = new ProjectionWorkerClient(store, options).start()
  clients.push(client)
  return client
}

const caughtUpTo = (position: number) => (view: ProjectionsView) =>
  view.projections.length > 0 && view.projections.every((p) => p.state === 'idle' && p.checkpoint >= position)

async function shop(name = uniqueName(), readModels: ReadModelSchema = shopDatabase) {
  const store = await openTestStore({ name, readModels })
  return { name, store, repository: new AggregateRepository(store) }
}

/** The shop's worker plus a projection that counts how many times each order was applied. */
const countingWorker: ClientOptions = {
  createWorker: () => new Worker(new URL('./counting.worker.ts', import.meta.url), { type: 'module', name: 'kiroku-counting-projections' }),
}

async function placeOrder(store: EventStore, repository: AggregateRepository, id: string) {
  await addItem(repository, { cartId: `cart-${id}`, itemId: 'hashi', quantity: 1, price: 700 })
  await checkout(store, repository, { cartId: `cart-${id}`, orderId: id })
}

const head = async (store: EventStore) => (await store.read.last())?.globalPosition ?? 0

describe('the projection worker in Chromium', () => {
  it('applies deferred projections in a real Worker after the commit', async () => {
    const { store, repository } = await shop()
    const client = tab(store)
    await client.waitFor((v) => v.leadsHere && v.projections.length > 0)
    await placeOrder(store, repository, 'w1')
    await completeOrder(repository, 'w1')
    await client.waitFor(caughtUpTo(await head(store)))
    expect(await store.db.table<OrderRow>(ORDERS).get('w1')).toMatchObject({ status: 'completed', total: 700, itemCount: 1 })
  })

  it('applies on the next start what was written while no tab ran a worker', async () => {
    const { store, repository } = await shop()
    await placeOrder(store, repository, 'offline-1')
    await placeOrder(store, repository, 'offline-2')
    expect(await store.db.table(ORDERS).count()).toBe(0)
    const client = tab(store)
    await client.waitFor(caughtUpTo(await head(store)))
    expect((await store.db.table<OrderRow>(ORDERS).toArray()).map((o) => o.orderId).sort()).toEqual(['offline-1', 'offline-2'])
  })

  it('resumes from its checkpoint when its worker is killed in the middle of catching up', async () => {
    const { name, store } = await shop(uniqueName(), countingReadModels)
    // Many orders, written straight to the log: the worker needs several batches for them.
    const events = Array.from({ length: 3000 }, (_, i) =>
      OrderPlaced({ orderId: `bulk-${i}`, cartId: `c-${i}`, lines: [{ itemId: 'tea', quantity: 1, price: 450 }], subtotal: 450, discount: 0, total: 450 }),
    )
    await store.append(events)
    const first = tab(store, countingWorker)
    const midway = await first.waitFor((v) => v.projections.some((p) => p.checkpoint > 0))
    expect(midway.projections[0]!.checkpoint).toBeLessThan(await head(store))
    expect(midway.projections.find((p) => p.name === APPLIES)!.checkpoint).toBeLessThan(await head(store))
    first.stop() // the tab closes mid-way: the worker is terminated between batches or inside one
    const other = await openTestStore({ name, readModels: countingReadModels })
    const second = tab(other, countingWorker)
    await second.waitFor(caughtUpTo(await head(other)))
    expect(await other.db.table(ORDERS).count()).toBe(3000)
    // Counted, not overwritten: every order applied exactly once across the kill, none twice.
    const applies = await other.db.table<{ eventId: string; times: number }>(APPLIES).toArray()
    expect(applies).toHaveLength(3000)
    expect(applies.filter((row) => row.times !== 1)).toEqual([])
  })

  it('runs one leader across tabs, and hands over when the leader’s tab closes', async () => {
    const { name, store } = await shop()
    const first = tab(store)
    await first.waitFor((v) => v.leadsHere)
    const other = await openTestStore({ name, readModels: shopDatabase })
    const second = tab(other)
    const seenBySecond = await second.waitFor((v) => v.leader !== null)
    expect(seenBySecond.leadsHere).toBe(false)
    expect(seenBySecond.leader).toBe(first.getSnapshot().leader)

    // Closing the first tab ends its worker, which releases the lock.
    first.stop()
    await second.waitFor((v) => v.leadsHere)
    await placeOrder(other, new AggregateRepository(other), 'handed-over')
    await second.waitFor(caughtUpTo(await head(other)))
    expect(await store.db.table<OrderRow>(ORDERS).get('handed-over')).toMatchObject({ status: 'draft' })
  })
})
