// The sync engine with spaces, against the real server in-process: two accounts share a cart in a
// space, edit it offline and converge by the cart's rules; a viewer's change is refused and
// reported; a member removed from the space loses its copy, with its unsent changes reported.
import { describe, expect, it } from 'vitest'
import { addItem, removeItem, updateItemQuantity } from '../../src/domain'
import { AggregateRepository } from '../../src/eventstore'
import { SpacesClient, SyncEngine, SyncServerError, type Fetch, type SyncTransport } from '../../src/sync'
import { shopSync } from '../../src/worker/shopSync'
import { openDevice, syncedStreams, testServer } from './support/devices'

const server = testServer()
const BASE = 'http://kiroku.test'

async function person(name: string) {
  const { userId, cookie } = await server.signUp(`${name}-${crypto.randomUUID()}@example.com`)
  const fetch: Fetch = (url, init) => {
    const headers = new Headers(init?.headers)
    headers.set('cookie', cookie)
    return Promise.resolve(server.app.request(url, { ...init, headers }))
  }
  return { userId, cookie, spaces: new SpacesClient({ baseUrl: BASE, fetch }) }
}

const sencha = (cartId: string, quantity = 1) => ({ cartId, itemId: 'sencha', quantity, price: 1200 })
const matcha = (cartId: string) => ({ cartId, itemId: 'matcha', quantity: 1, price: 2800 })

/** Runs `fn` on a repository whose events name `space` (the first one puts a new stream there). */
const inSpace = async <T>(device: Awaited<ReturnType<typeof openDevice>>, space: string, fn: (repository: AggregateRepository) => Promise<T>) =>
  device.store.withMetadata({ spaceId: space }, (scoped) => fn(new AggregateRepository(scoped)))

/** A space of ann's that bob joined with `role`, and a device of each. */
async function shared(role: 'editor' | 'viewer') {
  const ann = await person('ann')
  const bob = await person('bob')
  const space = await ann.spaces.create('Household')
  await bob.spaces.accept((await ann.spaces.invite(space.id, { role })).token)
  return { ann, bob, space: space.id, annDevice: await openDevice(server, ann.cookie, 'ann'), bobDevice: await openDevice(server, bob.cookie, 'bob') }
}

describe('the sync engine with spaces', () => {
  it('syncs a cart two accounts share: each pulls the other’s edits, offline edits rebase, both hold the same events', async () => {
    const { space, annDevice, bobDevice } = await shared('editor')
    const cartId = crypto.randomUUID()
    await inSpace(annDevice, space, (repository) => addItem(repository, sencha(cartId)))
    await annDevice.sync()
    expect(annDevice.engine.status).toMatchObject({ pending: 0, problem: null, head: 0, spaces: [{ id: space, role: 'owner', head: 1, cursor: 1 }] })
    await bobDevice.sync()
    expect((await bobDevice.streams()).get(`Cart$${cartId}`)?.map((event) => event.type)).toEqual(['Cart.ItemAdded'])

    annDevice.online = false
    bobDevice.online = false
    await updateItemQuantity(annDevice.repository, { cartId, itemId: 'sencha', quantity: 3 })
    await addItem(bobDevice.repository, matcha(cartId))
    await removeItem(bobDevice.repository, { cartId, itemId: 'sencha' })
    annDevice.online = true
    bobDevice.online = true
    await annDevice.sync()
    await bobDevice.sync()
    await annDevice.sync()

    const [ann, bob] = [await syncedStreams(annDevice.store), await syncedStreams(bobDevice.store)]
    expect(ann).toEqual(bob)
    // Bob's removal of sencha came after ann's new quantity on the server: both still hold, in that order.
    expect(ann.get(`Cart$${cartId}`)?.map((event) => event.type)).toEqual(['Cart.ItemAdded', 'Cart.ItemQuantityUpdated', 'Cart.ItemAdded', 'Cart.ItemRemoved'])
    expect([annDevice.engine.status.pending, bobDevice.engine.status.pending]).toEqual([0, 0])
    // The personal spaces hold nothing of it.
    expect([annDevice.engine.status.head, bobDevice.engine.status.head]).toEqual([0, 0])
  })

  it('reports a viewer’s change to a shared cart as refused by the server, and keeps nothing of it pending', async () => {
    const { space, annDevice, bobDevice } = await shared('viewer')
    const cartId = crypto.randomUUID()
    await inSpace(annDevice, space, (repository) => addItem(repository, sencha(cartId)))
    await annDevice.sync()
    await bobDevice.sync()
    expect(bobDevice.engine.status.spaces).toMatchObject([{ id: space, role: 'viewer', head: 1, cursor: 1 }])
    await addItem(bobDevice.repository, matcha(cartId))
    await bobDevice.sync()
    expect(bobDevice.engine.status.pending).toBe(0)
    // A cart rebases: what the server refused is dropped, with the server's reason.
    expect(bobDevice.engine.status.reports).toMatchObject([{ kind: 'dropped', stream: `Cart$${cartId}`, type: 'Cart.ItemAdded', reason: { code: 'forbidden' } }])
    expect((await bobDevice.streams()).get(`Cart$${cartId}`)?.map((event) => event.type)).toEqual(['Cart.ItemAdded'])
  })

  it('deletes a removed member’s copy of the space, reporting its unsent changes, and tells its views to reload', async () => {
    const { ann, bob, space, annDevice, bobDevice } = await shared('editor')
    const cartId = crypto.randomUUID()
    await inSpace(annDevice, space, (repository) => addItem(repository, sencha(cartId)))
    await annDevice.sync()
    await bobDevice.sync()
    const own = crypto.randomUUID()
    await addItem(bobDevice.repository, sencha(own))
    bobDevice.online = false
    await addItem(bobDevice.repository, matcha(cartId))
    await bobDevice.sync()
    await ann.spaces.remove(space, bob.userId)

    const changes: Array<{ streams: string[]; rewritten: boolean }> = []
    bobDevice.online = true
    const engine = new SyncEngine({ store: bobDevice.store, transport: bobDevice.transport, definition: shopSync, onChanged: (change) => void changes.push(change) })
    await engine.sync()
    expect(await bobDevice.store.read.stream(`Cart$${cartId}`).toArray()).toEqual([])
    expect(engine.status.spaces).toEqual([])
    expect(engine.status.pending).toBe(0)
    expect(engine.status.reports).toMatchObject([{ kind: 'rejected', stream: `Cart$${cartId}`, type: 'Cart.ItemAdded', reason: { code: 'removed_from_space' } }])
    expect(changes).toContainEqual(expect.objectContaining({ streams: [`Cart$${cartId}`], rewritten: true }))
    // Its own cart, in its personal space, is untouched and synced.
    expect((await bobDevice.streams()).get(`Cart$${own}`)?.map((event) => event.type)).toEqual(['Cart.ItemAdded'])
    expect(engine.status.head).toBe(1)
  })

  it('syncs the personal space as before with a server that serves no spaces (404 for its list)', async () => {
    const ann = await person('ann')
    const device = await openDevice(server, ann.cookie, 'ann')
    const noSpaces: SyncTransport = {
      push: (body) => device.transport.push(body),
      pull: (after, limit, space) => device.transport.pull(after, limit, space),
      spaces: async () => {
        throw new SyncServerError(404, 'not_found', 'Not found.')
      },
    }
    const engine = new SyncEngine({ store: device.store, transport: noSpaces, definition: shopSync })
    const cartId = crypto.randomUUID()
    await addItem(device.repository, sencha(cartId))
    await engine.sync()
    expect(engine.status).toMatchObject({ connection: 'online', problem: null, pending: 0, head: 1, cursor: 1, spaces: [] })
  })
})
