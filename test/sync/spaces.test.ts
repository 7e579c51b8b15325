// The sync engine with shared spaces, against the real server in-process: two accounts share a
// space; a cart written in it (its events naming the space) reaches the other account's device at
// the same positions, offline edits of both converge, a viewer's change is refused, and a member's
// removal deletes the space's copy on that member's device. The personal space goes on as before.
import { describe, expect, it } from 'vitest'
import { addItem, ItemAdded, removeItem, updateItemQuantity } from '../../src/domain'
import { SyncEngine } from '../../src/sync'
import { shopSync } from '../../src/worker/shopSync'
import { testServer, type Device } from './support/devices'
import { inSpace, person, pulledAll, serverStream, sharedSpace } from './support/spaces'

const server = testServer()

const sencha = (cartId: string, quantity = 1) => ({ cartId, itemId: 'sencha', quantity, price: 1200 })
const matcha = (cartId: string, quantity = 1) => ({ cartId, itemId: 'matcha', quantity, price: 2800 })
const hojicha = (cartId: string, quantity = 1) => ({ cartId, itemId: 'hojicha', quantity, price: 900 })

async function converged(...devices: Device[]) {
  const [first, ...others] = await Promise.all(devices.map((device) => device.streams()))
  for (const other of others) expect(other).toEqual(first)
  return first!
}

describe('the sync engine with shared spaces', () => {
  it('pushes a cart written in a shared space to that space, and another member’s device pulls the same events at the same positions', async () => {
    const ann = await person(server, 'ann')
    const bob = await person(server, 'bob')
    const space = await sharedSpace(ann, 'Household', [[bob, 'editor']])
    const annPhone = await ann.device('phone')
    const bobPhone = await bob.device('phone')
    const cartId = crypto.randomUUID()
    const cart = `Cart$${cartId}`
    await inSpace(annPhone, space.id, async (repository) => {
      await addItem(repository, sencha(cartId))
      await addItem(repository, matcha(cartId, 2))
    })
    await annPhone.sync()
    expect(annPhone.engine.status).toMatchObject({ connection: 'online', pending: 0, problem: null, reports: [] })
    const held = await pulledAll(annPhone.transport, space.id)
    expect(held.map((event) => [event.position, event.stream, event.streamPosition, event.metadata.spaceId])).toEqual([
      [1, cart, 0, space.id],
      [2, cart, 1, space.id],
    ])
    // Nothing of it went to ann's personal space.
    expect(await pulledAll(annPhone.transport)).toEqual([])
    await bobPhone.sync()
    expect(bobPhone.engine.status).toMatchObject({ connection: 'online', pending: 0, problem: null, reports: [] })
    const streams = await converged(annPhone, bobPhone)
    expect(streams.get(cart)).toEqual(serverStream(held, cart))
    expect([...streams.keys()]).toEqual([cart])
    expect(annPhone.engine.status.spaces).toEqual([{ id: space.id, name: 'Household', role: 'owner', head: 2, cursor: 2 }])
    expect(bobPhone.engine.status.spaces).toEqual([{ id: space.id, name: 'Household', role: 'editor', head: 2, cursor: 2 }])
    // The personal space's cursor counts the personal space's events only.
    expect(bobPhone.engine.status).toMatchObject({ cursor: 0, head: 0 })
    expect(annPhone.engine.status).toMatchObject({ cursor: 0, head: 0 })
  })

  it('converges when both members edit the shared cart offline, and reports the change that lost on the device that made it', async () => {
    const ann = await person(server, 'ann')
    const bob = await person(server, 'bob')
    const space = await sharedSpace(ann, 'Household', [[bob, 'editor']])
    const annPhone = await ann.device('phone')
    const bobPhone = await bob.device('phone')
    const cartId = crypto.randomUUID()
    const cart = `Cart$${cartId}`
    // Written with the events' own metadata (no scoped store): the first event names the space.
    await annPhone.store.append([ItemAdded(sencha(cartId), { metadata: { spaceId: space.id } }), ItemAdded(matcha(cartId), { metadata: { spaceId: space.id } })], {
      stream: cart,
      expectedVersion: 'none',
    })
    await annPhone.sync()
    await bobPhone.sync()
    expect((await bobPhone.streams()).get(cart)).toHaveLength(2)
    annPhone.online = false
    bobPhone.online = false
    // Later changes name no space: the stream is the space's already (ann's by her first event, bob's by the pull).
    await removeItem(annPhone.repository, { cartId, itemId: 'sencha' })
    await addItem(annPhone.repository, hojicha(cartId, 2))
    await removeItem(bobPhone.repository, { cartId, itemId: 'sencha' })
    await updateItemQuantity(bobPhone.repository, { cartId, itemId: 'matcha', quantity: 3 })
    await Promise.all([annPhone.sync(), bobPhone.sync()])
    expect(annPhone.engine.status).toMatchObject({ connection: 'offline', pending: 2 })
    expect(bobPhone.engine.status).toMatchObject({ connection: 'offline', pending: 2 })
    annPhone.online = true
    bobPhone.online = true
    await annPhone.sync()
    await bobPhone.sync()
    await annPhone.sync()
    const streams = await converged(annPhone, bobPhone)
    const held = await pulledAll(annPhone.transport, space.id)
    expect(streams.get(cart)).toEqual(serverStream(held, cart))
    expect(streams.get(cart)?.map((event) => [event.type, (event.data as { itemId: string }).itemId])).toEqual([
      ['Cart.ItemAdded', 'sencha'],
      ['Cart.ItemAdded', 'matcha'],
      ['Cart.ItemRemoved', 'sencha'],
      ['Cart.ItemAdded', 'hojicha'],
      ['Cart.ItemQuantityUpdated', 'matcha'],
    ])
    expect(new Set(held.map((event) => event.eventId)).size).toBe(5)
    expect(await pulledAll(annPhone.transport)).toEqual([])
    expect(await pulledAll(bobPhone.transport)).toEqual([])
    expect(annPhone.engine.status.reports).toEqual([])
    expect(bobPhone.engine.status.reports).toHaveLength(1)
    expect(bobPhone.engine.status.reports[0]).toMatchObject({
      kind: 'dropped',
      stream: cart,
      type: 'Cart.ItemRemoved',
      data: { cartId, itemId: 'sencha' },
      reason: { code: 'Cart.ItemNotInCartError' },
    })
    for (const device of [annPhone, bobPhone]) {
      expect(device.engine.status).toMatchObject({ connection: 'online', pending: 0, problem: null })
      expect(device.engine.status.spaces).toMatchObject([{ id: space.id, head: 5, cursor: 5 }])
    }
  })

  it('reports a viewer’s change to a shared stream as refused (forbidden), keeps nothing of it pending, and stores nothing of it anywhere', async () => {
    const ann = await person(server, 'ann')
    const bob = await person(server, 'bob')
    const space = await sharedSpace(ann, 'Look only', [[bob, 'viewer']])
    const annPhone = await ann.device('phone')
    const bobPhone = await bob.device('phone')
    const cartId = crypto.randomUUID()
    const cart = `Cart$${cartId}`
    await inSpace(annPhone, space.id, (repository) => addItem(repository, sencha(cartId)))
    await annPhone.sync()
    await bobPhone.sync()
    expect(bobPhone.engine.status.spaces).toEqual([{ id: space.id, name: 'Look only', role: 'viewer', head: 1, cursor: 1 }])
    // A change to the space's cart, and a new cart of his own named as the space's.
    await addItem(bobPhone.repository, matcha(cartId))
    const ownId = crypto.randomUUID()
    await inSpace(bobPhone, space.id, (repository) => addItem(repository, hojicha(ownId)))
    await bobPhone.sync()
    const reports = bobPhone.engine.status.reports.map((report) => [report.kind, report.stream, report.type, report.reason.code])
    expect(reports).toHaveLength(2)
    // Carts rebase: what the server refused is dropped (not kept as rejected), with the server's reason.
    expect(reports).toContainEqual(['dropped', cart, 'Cart.ItemAdded', 'forbidden'])
    expect(reports).toContainEqual(['dropped', `Cart$${ownId}`, 'Cart.ItemAdded', 'forbidden'])
    expect(bobPhone.engine.status).toMatchObject({ pending: 0, pendingCommits: [] })
    const held = await pulledAll(annPhone.transport, space.id)
    expect(held.map((event) => event.stream)).toEqual([cart])
    expect((await bobPhone.streams()).get(cart)).toEqual(serverStream(held, cart))
    expect(await bobPhone.store.read.stream(`Cart$${ownId}`).toArray()).toEqual([])
    // The new cart was pushed to the space, not taken into bob's personal space.
    expect(await pulledAll(bobPhone.transport)).toEqual([])
  })

  it('deletes the space’s copy on a removed member’s device: its streams, its pending changes (reported as not sent), its entry in the status', async () => {
    const ann = await person(server, 'ann')
    const bob = await person(server, 'bob')
    const space = await sharedSpace(ann, 'Household', [[bob, 'editor']])
    const annPhone = await ann.device('phone')
    const bobPhone = await bob.device('phone')
    const changes: Array<{ streams: string[]; rewritten: boolean }> = []
    const engine = new SyncEngine({
      store: bobPhone.store,
      transport: bobPhone.transport,
      definition: shopSync,
      onChanged: ({ streams, rewritten }) => {
        changes.push({ streams, rewritten })
      },
    })
    const cartId = crypto.randomUUID()
    const cart = `Cart$${cartId}`
    const personalId = crypto.randomUUID()
    const personal = `Cart$${personalId}`
    await inSpace(annPhone, space.id, (repository) => addItem(repository, sencha(cartId)))
    await annPhone.sync()
    await addItem(bobPhone.repository, sencha(personalId))
    await engine.sync()
    expect(engine.status.spaces).toMatchObject([{ id: space.id, cursor: 1 }])
    expect(await bobPhone.store.read.stream(cart).count()).toBe(1)
    // Bob changes the shared cart and his own; before his device syncs again, ann removes him.
    await addItem(bobPhone.repository, matcha(cartId))
    await updateItemQuantity(bobPhone.repository, { cartId: personalId, itemId: 'sencha', quantity: 2 })
    await ann.spaces.remove(space.id, bob.userId)
    changes.length = 0
    await engine.sync()
    expect(await bobPhone.store.read.stream(cart).toArray()).toEqual([])
    const annsEvents = await pulledAll(annPhone.transport, space.id)
    const logIds = new Set((await bobPhone.store.read.toArray()).map((event) => event.eventId))
    expect(annsEvents.filter((event) => logIds.has(event.eventId))).toEqual([])
    expect(engine.status.reports).toHaveLength(1)
    expect(engine.status.reports[0]).toMatchObject({ kind: 'rejected', stream: cart, type: 'Cart.ItemAdded', data: matcha(cartId), reason: { code: 'removed_from_space' } })
    expect(engine.status.spaces).toEqual([])
    expect(engine.status).toMatchObject({ connection: 'online', pending: 0, problem: null })
    expect(changes.some((change) => change.rewritten && change.streams.includes(cart))).toBe(true)
    // Nothing of bob's change reached the space; his personal cart synced as before.
    expect(annsEvents.map((event) => event.type)).toEqual(['Cart.ItemAdded'])
    const personalOnServer = serverStream(await pulledAll(bobPhone.transport), personal)
    expect(personalOnServer.map((event) => event.type)).toEqual(['Cart.ItemAdded', 'Cart.ItemQuantityUpdated'])
    expect((await bobPhone.streams()).get(personal)).toEqual(personalOnServer)
    expect([...(await bobPhone.streams()).keys()]).toEqual([personal])
  })

  it('also deletes, and reports, a stream the removed member started in the space before the device heard of the removal', async () => {
    const ann = await person(server, 'ann')
    const bob = await person(server, 'bob')
    const space = await sharedSpace(ann, 'Household', [[bob, 'editor']])
    const bobPhone = await bob.device('phone')
    await bobPhone.sync()
    expect(bobPhone.engine.status.spaces).toMatchObject([{ id: space.id }])
    const cartId = crypto.randomUUID()
    const cart = `Cart$${cartId}`
    await inSpace(bobPhone, space.id, (repository) => addItem(repository, sencha(cartId)))
    await ann.spaces.remove(space.id, bob.userId)
    await bobPhone.sync()
    expect(await bobPhone.store.read.stream(cart).toArray()).toEqual([])
    expect(bobPhone.engine.status.reports.map((report) => [report.kind, report.stream, report.type, report.reason.code])).toEqual([['rejected', cart, 'Cart.ItemAdded', 'removed_from_space']])
    expect(bobPhone.engine.status).toMatchObject({ pending: 0, spaces: [] })
    // Not taken into bob's personal space either.
    expect(await pulledAll(bobPhone.transport)).toEqual([])
  })

  it('keeps the personal space as before beside a shared one: each device of the account gets both, the other member only the shared one', async () => {
    const ann = await person(server, 'ann')
    const bob = await person(server, 'bob')
    const space = await sharedSpace(ann, 'Household', [[bob, 'editor']])
    const annPhone = await ann.device('phone')
    const annLaptop = await ann.device('laptop')
    const bobPhone = await bob.device('phone')
    const personalId = crypto.randomUUID()
    const sharedId = crypto.randomUUID()
    await addItem(annPhone.repository, sencha(personalId))
    await inSpace(annPhone, space.id, (repository) => addItem(repository, matcha(sharedId)))
    await annPhone.sync()
    await annLaptop.sync()
    await bobPhone.sync()
    const streams = await converged(annPhone, annLaptop)
    expect([...streams.keys()]).toEqual([`Cart$${personalId}`, `Cart$${sharedId}`].sort())
    expect([...(await bobPhone.streams()).keys()]).toEqual([`Cart$${sharedId}`])
    expect((await pulledAll(annPhone.transport)).map((event) => event.stream)).toEqual([`Cart$${personalId}`])
    expect((await pulledAll(annPhone.transport, space.id)).map((event) => event.stream)).toEqual([`Cart$${sharedId}`])
    for (const device of [annPhone, annLaptop]) {
      expect(device.engine.status).toMatchObject({ cursor: 1, head: 1, pending: 0, problem: null })
      expect(device.engine.status.spaces).toMatchObject([{ id: space.id, head: 1, cursor: 1 }])
    }
    // The personal cart goes on syncing between ann's devices, and never to bob.
    await updateItemQuantity(annLaptop.repository, { cartId: personalId, itemId: 'sencha', quantity: 4 })
    await annLaptop.sync()
    await annPhone.sync()
    await bobPhone.sync()
    expect((await converged(annPhone, annLaptop)).get(`Cart$${personalId}`)?.map((event) => event.type)).toEqual(['Cart.ItemAdded', 'Cart.ItemQuantityUpdated'])
    expect(annPhone.engine.status).toMatchObject({ cursor: 2, head: 2 })
    expect([...(await bobPhone.streams()).keys()]).toEqual([`Cart$${sharedId}`])
  })
})
