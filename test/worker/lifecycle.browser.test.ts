// In headless Chromium, real IndexedDB, Web Locks and BroadcastChannel: another tab opening a newer
// schema closes this tab's connections; everything attached to them must stop, the lead included.
import { afterEach, describe, expect, it } from 'vitest'
import { AggregateRepository, type ChannelMessage, channelName, type EventStore, openEventStore, ProjectionHost, type ProjectionStatus, ProjectionWorkerClient, type ReadModelSchema, type WorkerMessage } from '../../src/eventstore'
import { addItem, checkout } from '../../src/domain'
import { ORDERS, deferredProjections, type OrderRow } from '../../src/projections'
import { shopDatabase } from '../../src/worker/shopSync'
import { openTestStore, uniqueName } from '../support/stores'

const newer: ReadModelSchema = { version: shopDatabase.version + 1, stores: shopDatabase.stores }

const stops: Array<() => void> = []
afterEach(() => {
  for (const stop of stops.splice(0)) stop()
})

/** Resolves when `ok` holds, checked now and after every `wake()`. */
function waiting() {
  const waiters: Array<() => void> = []
  return {
    wake: () => {
      for (const wake of waiters.splice(0)) wake()
    },
    until: async (ok: () => boolean) => {
      while (!ok()) await new Promise<void>((resolve) => waiters.push(resolve))
    },
  }
}

/** A tab's worker logic, in this page, on the real Web Locks: the host the worker runs. */
function startHost(database: string, readModels: ReadModelSchema) {
  const posted: WorkerMessage[] = []
  const { wake, until } = waiting()
  const host = new ProjectionHost({
    openStore: (name) => openEventStore({ name, readModels }),
    projections: deferredProjections,
    locks: navigator.locks,
    openChannel: (name) => new BroadcastChannel(name),
    post: (message) => {
      posted.push(message)
      wake()
    },
  })
  stops.push(() => host.stop())
  void host.handle({ type: 'start', database })
  return { host, posted, leads: () => until(() => posted.some((m) => m.type === 'role' && m.leader)) }
}

/** A page's view of the channel. */
function listen(database: string) {
  const channel = new BroadcastChannel(channelName(database))
  stops.push(() => channel.close())
  let latest: Extract<ChannelMessage, { type: 'status' }> | null = null
  const { wake, until } = waiting()
  channel.onmessage = (event: MessageEvent<ChannelMessage>) => {
    if (event.data.type === 'status') latest = event.data
    wake()
  }
  return {
    send: (message: ChannelMessage) => channel.postMessage(message),
    until: async (ok: (s: Extract<ChannelMessage, { type: 'status' }>) => boolean) => {
      await until(() => latest !== null && ok(latest))
      return latest!
    },
  }
}

const caughtUpTo = (leader: string, position: number) => (s: { leader: string; projections: ProjectionStatus[] }) =>
  s.leader === leader && s.projections.length > 0 && s.projections.every((p) => p.state === 'idle' && p.checkpoint >= position)

async function placeOrder(store: EventStore, id: string) {
  const repository = new AggregateRepository(store)
  await addItem(repository, { cartId: `cart-${id}`, itemId: 'hashi', quantity: 1, price: 700 })
  await checkout(store, repository, { cartId: `cart-${id}`, orderId: id })
}

const head = async (store: EventStore) => (await store.read.last())?.globalPosition ?? 0

/** The upgraded tab's worker: it leads once the old leader let go, and applies that tab's new order. */
async function takeOver(name: string, upgraded: EventStore) {
  const page = listen(name)
  const next = startHost(name, newer)
  await next.leads()
  await placeOrder(upgraded, 'after')
  page.send({ type: 'committed', position: await head(upgraded) })
  await page.until(caughtUpTo(next.host.id, await head(upgraded)))
}

describe('the store’s lifecycle across tabs, in Chromium', () => {
  it('a leader whose store another tab upgrades releases its Web Lock, and the next host leads and applies', async () => {
    const name = uniqueName()
    const store = await openTestStore({ name, readModels: shopDatabase })
    await placeOrder(store, 'before')
    const first = startHost(name, shopDatabase)
    await first.leads()
    await listen(name).until(caughtUpTo(first.host.id, await head(store)))

    // Another tab, on a newer read-model version, opens the database: versionchange closes this
    // tab's connections, and the host stops with its store.
    const upgraded = await openTestStore({ name, readModels: newer })
    expect(store.isClosed).toBe(true)
    expect(first.host.isLeader).toBe(false)
    expect(first.posted.at(-1)).toEqual({ type: 'role', leader: false, id: first.host.id })

    await takeOver(name, upgraded)
    expect((await upgraded.db.table<OrderRow>(ORDERS).orderBy('orderId').toArray()).map((o) => o.orderId)).toEqual(['after', 'before'])
  })

  it('a page whose store another tab upgrades terminates its worker, and the next host leads and applies', async () => {
    const name = uniqueName()
    const store = await openTestStore({ name, readModels: shopDatabase })
    let terminated = 0
    const client = new ProjectionWorkerClient(store, {
      createWorker: () => {
        const worker = new Worker(new URL('../../src/worker/projections.worker.ts', import.meta.url), { type: 'module' })
        const terminate = worker.terminate.bind(worker)
        worker.terminate = () => {
          terminated++
          terminate()
        }
        return worker
      },
    }).start()
    stops.push(() => client.stop())
    await client.waitFor((view) => view.leadsHere)

    const upgraded = await openTestStore({ name, readModels: newer })
    expect(store.isClosed).toBe(true)
    expect(terminated).toBe(1)
    expect(client.getSnapshot().leadsHere).toBe(false)

    // The terminated worker's lock is free: the upgraded tab's worker leads and applies.
    await takeOver(name, upgraded)
    expect(await upgraded.db.table<OrderRow>(ORDERS).get('after')).toMatchObject({ status: 'draft', total: 700 })
  })
})
