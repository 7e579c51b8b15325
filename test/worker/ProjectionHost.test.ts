import { afterEach, describe, expect, it, vi } from 'vitest'
import { AggregateRepository, type ChannelMessage, ProjectionRunner, channelName, type LeadContext, type EventStore, openEventStore, ProjectionHost, type ProjectionStatus, type ReadModelSchema, reviveError, type WorkerMessage } from '../../src/eventstore'
import { addItem, checkout, completeOrder } from '../../src/domain'
import { ORDERS, deferredProjections, shopReadModels, type OrderRow } from '../../src/projections'
import { FakeLocks } from '../support/FakeLocks'
import { openTestStore, uniqueName } from '../support/stores'

const hosts: ProjectionHost[] = []
const channels: BroadcastChannel[] = []
afterEach(() => {
  for (const host of hosts.splice(0)) host.stop()
  for (const channel of channels.splice(0)) channel.close()
})

/** A tab's worker, in-process: the same host the real worker runs, through the same protocol. */
function startHost(
  database: string,
  locks: FakeLocks,
  onPost: (message: WorkerMessage) => void = () => undefined,
  readModels: ReadModelSchema = shopReadModels,
) {
  const posted: WorkerMessage[] = []
  const host = new ProjectionHost({
    openStore: (name) => openEventStore({ name, readModels }),
    projections: deferredProjections,
    locks,
    openChannel: (name) => new BroadcastChannel(name) as never,
    post: (message) => {
      posted.push(message)
      onPost(message)
    },
    runner: { sleep: async () => undefined },
  })
  hosts.push(host)
  void host.handle({ type: 'start', database })
  return { host, posted }
}

/** A page's view of the channel: what it hears, and a way to wait for a status. */
function listen(database: string) {
  const channel = new BroadcastChannel(channelName(database))
  channels.push(channel)
  let latest: Extract<ChannelMessage, { type: 'status' }> | null = null
  const waiters: Array<() => void> = []
  channel.onmessage = (event: MessageEvent<ChannelMessage>) => {
    if (event.data.type === 'status') latest = event.data
    for (const wake of waiters.splice(0)) wake()
  }
  const until = async (ok: (s: Extract<ChannelMessage, { type: 'status' }>) => boolean) => {
    while (!latest || !ok(latest)) await new Promise<void>((resolve) => waiters.push(resolve))
    return latest
  }
  return { send: (m: ChannelMessage) => channel.postMessage(m), until }
}

const caughtUpTo = (position: number) => (s: { projections: ProjectionStatus[] }) =>
  s.projections.length > 0 && s.projections.every((p) => p.state === 'idle' && p.checkpoint >= position)

async function shop(name: string): Promise<{ store: EventStore; repository: AggregateRepository }> {
  const store = await openTestStore({ name, readModels: shopReadModels })
  return { store, repository: new AggregateRepository(store) }
}

async function placeOrder(store: EventStore, repository: AggregateRepository, id: string) {
  await addItem(repository, { cartId: `cart-${id}`, itemId: 'hashi', quantity: 2, price: 700 })
  await checkout(store, repository, { cartId: `cart-${id}`, orderId: id })
}

const lastPosition = async (store: EventStore) => (await store.read.last())!.globalPosition

describe('the projection worker (in-process, same protocol)', () => {
  it('applies on start what was committed while no tab ran projections', async () => {
    const name = uniqueName()
    const { store, repository } = await shop(name)
    await placeOrder(store, repository, 'o1')
    const page = listen(name)
    startHost(name, new FakeLocks())
    await page.until(caughtUpTo(await lastPosition(store)))
    expect(await store.db.table<OrderRow>(ORDERS).get('o1')).toMatchObject({ status: 'draft', total: 1400, itemCount: 2 })
  })

  it('follows commits announced on the channel, after they committed', async () => {
    const name = uniqueName()
    const { store, repository } = await shop(name)
    const page = listen(name)
    startHost(name, new FakeLocks())
    await page.until((s) => s.projections.length > 0)
    await placeOrder(store, repository, 'o2')
    await completeOrder(repository, 'o2')
    page.send({ type: 'committed', position: await lastPosition(store) })
    await page.until(caughtUpTo(await lastPosition(store)))
    expect(await store.db.table<OrderRow>(ORDERS).get('o2')).toMatchObject({ status: 'completed' })
  })

  it('lets one worker lead at a time, and another take over when the leader’s tab closes', async () => {
    const name = uniqueName()
    const locks = new FakeLocks()
    const { store, repository } = await shop(name)
    const page = listen(name)
    const first = startHost(name, locks)
    const second = startHost(name, locks)
    const leading = await page.until((s) => s.projections.length > 0)
    expect(leading.leader).toBe(first.host.id)
    expect([first.host.isLeader, second.host.isLeader]).toEqual([true, false])
    expect(second.posted).toEqual([{ type: 'role', leader: false, id: second.host.id }])

    first.host.stop()
    await placeOrder(store, repository, 'o3')
    const taken = await page.until((s) => s.leader === second.host.id && caughtUpTo(0)(s))
    expect(taken.leader).toBe(second.host.id)
    expect(second.posted.at(-1)).toEqual({ type: 'role', leader: true, id: second.host.id })
    page.send({ type: 'committed', position: await lastPosition(store) })
    await page.until(caughtUpTo(await lastPosition(store)))
    expect(await store.db.table<OrderRow>(ORDERS).count()).toBe(1)
  })

  it('gives the lead up when its runner cannot start: says so, is not the leader, and another tab takes over', async () => {
    const name = uniqueName()
    const locks = new FakeLocks()
    const { store, repository } = await shop(name)
    await placeOrder(store, repository, 'o4')
    const start = vi.spyOn(ProjectionRunner.prototype, 'start').mockRejectedValueOnce(new Error('the disk is full'))
    const page = listen(name)
    const first = startHost(name, locks)
    await vi.waitFor(() => expect(first.posted.some((message) => message.type === 'failed')).toBe(true))
    expect(first.posted).toContainEqual({ type: 'role', leader: true, id: first.host.id })
    expect(first.posted.at(-2)).toEqual({ type: 'role', leader: false, id: first.host.id })
    expect(first.posted.at(-1)).toMatchObject({ type: 'failed', error: { message: 'the disk is full' } })
    expect(first.host.isLeader).toBe(false)

    start.mockRestore()
    const second = startHost(name, locks)
    const taken = await page.until((s) => s.leader === second.host.id && caughtUpTo(0)(s))
    expect(taken.leader).toBe(second.host.id)
    await page.until(caughtUpTo(await lastPosition(store)))
    expect(await store.db.table<OrderRow>(ORDERS).get('o4')).toMatchObject({ total: 1400 })
  })

  it('releases the lead when another tab opens a newer schema, so that tab’s worker leads and applies its commits', async () => {
    const name = uniqueName()
    const locks = new FakeLocks()
    const { store, repository } = await shop(name)
    await placeOrder(store, repository, 'before')
    const page = listen(name)
    const first = startHost(name, locks)
    await page.until((s) => s.leader === first.host.id && caughtUpTo(0)(s))
    expect(first.host.isLeader).toBe(true)

    // Another tab, with a newer version of the read models: its page opens the database first,
    // which closes every older connection here (the first host's and this page's) by versionchange.
    const newer = { version: shopReadModels.version + 1, stores: shopReadModels.stores }
    const upgraded = await openTestStore({ name, readModels: newer })
    expect(store.isClosed).toBe(true)
    expect(first.host.isLeader).toBe(false)
    expect(first.posted.at(-1)).toEqual({ type: 'role', leader: false, id: first.host.id })

    const second = startHost(name, locks, () => undefined, newer)
    await page.until((s) => s.leader === second.host.id)
    expect(second.posted.at(-1)).toEqual({ type: 'role', leader: true, id: second.host.id })
    await placeOrder(upgraded, new AggregateRepository(upgraded), 'after')
    page.send({ type: 'committed', position: await lastPosition(upgraded) })
    const head = await lastPosition(upgraded)
    await page.until((s) => s.leader === second.host.id && caughtUpTo(head)(s))
    expect((await upgraded.db.table<OrderRow>(ORDERS).orderBy('orderId').toArray()).map((o) => o.orderId)).toEqual(['after', 'before'])
  })

  it('rebuilds on request, reporting progress, and ends with the same read model', async () => {
    const name = uniqueName()
    const { store, repository } = await shop(name)
    for (const id of ['r1', 'r2', 'r3']) await placeOrder(store, repository, id)
    const page = listen(name)
    startHost(name, new FakeLocks())
    await page.until(caughtUpTo(await lastPosition(store)))
    const before = await store.db.table<OrderRow>(ORDERS).orderBy('orderId').toArray()
    await store.db.table(ORDERS).put({ ...before[0]!, total: -1 })
    page.send({ type: 'rebuild', projection: 'orders' })
    const rebuilding = await page.until((s) => s.projections[0]?.state === 'rebuilding')
    expect(rebuilding.projections[0]?.progress?.total).toBe(await store.read.count())
    await page.until(caughtUpTo(await lastPosition(store)))
    expect(await store.db.table<OrderRow>(ORDERS).orderBy('orderId').toArray()).toEqual(before)
  })

  it('sends errors back to its page with their name, message and fields', async () => {
    const name = uniqueName()
    let reportFailure!: (message: Extract<WorkerMessage, { type: 'failed' }>) => void
    const failure = new Promise<Extract<WorkerMessage, { type: 'failed' }>>((resolve) => (reportFailure = resolve))
    const page = listen(name)
    startHost(name, new FakeLocks(), (message) => message.type === 'failed' && reportFailure(message))
    await page.until((s) => s.projections.length > 0)
    page.send({ type: 'retry', projection: 'no-such-projection' })
    const failed = await failure
    expect(failed.error).toEqual({ name: 'Error', message: 'There is no projection named "no-such-projection".' })
    expect(reviveError(structuredClone(failed.error)).message).toContain('no-such-projection')
  })
})

describe('onLead: work that only the leading worker does', () => {
  it('starts with the page’s options once the worker leads, can rebuild and announce, and stops with the host', async () => {
    const name = uniqueName()
    const { store, repository } = await shop(name)
    await placeOrder(store, repository, 'l1')
    const locks = new FakeLocks()
    const leads: Array<{ options: unknown; stopped: boolean }> = []
    let context: LeadContext | null = null
    const page = listen(name)
    const heard: ChannelMessage[] = []
    const ears = new BroadcastChannel(channelName(name))
    channels.push(ears)
    ears.onmessage = (event: MessageEvent<ChannelMessage>) => void heard.push(event.data)
    const start = () => {
      const host = new ProjectionHost({
        openStore: (database) => openEventStore({ name: database, readModels: shopReadModels }),
        projections: deferredProjections,
        locks,
        openChannel: (channel) => new BroadcastChannel(channel) as never,
        post: () => undefined,
        runner: { sleep: async () => undefined },
        onLead: (lead) => {
          context = lead
          const entry = { options: lead.options, stopped: false }
          leads.push(entry)
          return () => void (entry.stopped = true)
        },
      })
      hosts.push(host)
      void host.handle({ type: 'start', database: name, options: { user: 'u1' } })
      return host
    }
    const first = start()
    const second = start()
    await page.until(caughtUpTo(await lastPosition(store)))
    await vi.waitFor(() => expect(leads).toHaveLength(1))
    expect(leads[0]).toEqual({ options: { user: 'u1' }, stopped: false })
    expect(context!.database).toBe(name)

    await store.db.table(ORDERS).clear()
    await context!.rebuildProjections()
    expect(await store.db.table<OrderRow>(ORDERS).get('l1')).toMatchObject({ status: 'draft' })
    context!.announceCommitted(42)
    await vi.waitFor(() => expect(heard).toContainEqual(expect.objectContaining({ type: 'committed', position: 42 })))

    // The leader goes: its lead work stops, and the next worker's starts.
    first.stop()
    expect(leads[0]?.stopped).toBe(true)
    await vi.waitFor(() => expect(leads).toHaveLength(2))
    second.stop()
    expect(leads[1]?.stopped).toBe(true)
  })
})
