// The sync engine against the real server (in-process, PGlite): push, pull, rebase, reject, lost
// answers and sessions, with devices of one user that go offline and come back.
import { beforeEach, describe, expect, it } from 'vitest'
import { addItem, checkout, removeItem, updateItemQuantity } from '../../src/domain'
import { SyncEngine } from '../../src/sync'
import { shopSync } from '../../src/worker/shopSync'
import { openDevice, testServer, type Device } from './support/devices'

const server = testServer()
let cookie: string

beforeEach(async () => {
  ;({ cookie } = await server.signUp(`u${crypto.randomUUID()}@example.com`))
})

const sencha = (cartId: string, quantity = 1) => ({ cartId, itemId: 'sencha', quantity, price: 1200 })
const matcha = (cartId: string, quantity = 1) => ({ cartId, itemId: 'matcha', quantity, price: 2800 })

const storedIds = async (stream: string) =>
  (await server.db.query<{ event_id: string }>('SELECT event_id::text AS event_id FROM events WHERE stream = $1 ORDER BY stream_position', [stream])).map((row) => row.event_id)

async function converged(...devices: Device[]) {
  const [first, ...others] = await Promise.all(devices.map((device) => device.streams()))
  for (const other of others) expect(other).toEqual(first)
  return first!
}

describe('the sync engine', () => {
  it('pushes a device’s commits and another device pulls them, with the same events at the same positions', async () => {
    const phone = await openDevice(server, cookie, 'phone')
    const laptop = await openDevice(server, cookie, 'laptop')
    const cartId = crypto.randomUUID()
    await addItem(phone.repository, sencha(cartId))
    await addItem(phone.repository, matcha(cartId, 2))
    await phone.sync()
    expect(phone.engine.status).toMatchObject({ connection: 'online', pending: 0, problem: null })
    await laptop.sync()
    const streams = await converged(phone, laptop)
    expect(streams.get(`Cart$${cartId}`)?.map((e) => e.type)).toEqual(['Cart.ItemAdded', 'Cart.ItemAdded'])
    expect(await storedIds(`Cart$${cartId}`)).toEqual(streams.get(`Cart$${cartId}`)?.map((e) => e.eventId))
    expect(laptop.engine.status.cursor).toBe(2)
    expect(phone.engine.status.cursor).toBe(2)
  })

  it('shows the stored cursor once a new engine on a synced store has pulled, also when nothing was new', async () => {
    const phone = await openDevice(server, cookie, 'phone')
    const cartId = crypto.randomUUID()
    await addItem(phone.repository, sencha(cartId))
    await addItem(phone.repository, matcha(cartId))
    await phone.sync()
    const again = new SyncEngine({ store: phone.store, transport: phone.transport, definition: shopSync })
    expect(again.status.cursor).toBe(0)
    await again.sync()
    expect(again.status).toMatchObject({ cursor: 2, head: 2, pending: 0 })
  })

  it('keeps offline edits of two devices on one cart: rebased, pushed, the same everywhere, each event stored once', async () => {
    const phone = await openDevice(server, cookie, 'phone')
    const laptop = await openDevice(server, cookie, 'laptop')
    const cartId = crypto.randomUUID()
    await addItem(phone.repository, sencha(cartId))
    await phone.sync()
    await laptop.sync()
    phone.online = false
    laptop.online = false
    await addItem(phone.repository, matcha(cartId))
    await updateItemQuantity(phone.repository, { cartId, itemId: 'sencha', quantity: 3 })
    await addItem(laptop.repository, { cartId, itemId: 'hojicha', quantity: 2, price: 900 })
    await Promise.all([phone.sync(), laptop.sync()])
    expect(phone.engine.status.connection).toBe('offline')
    expect(phone.engine.status.pending).toBe(2)
    phone.online = true
    laptop.online = true
    await Promise.all([phone.sync(), laptop.sync()])
    await Promise.all([phone.sync(), laptop.sync()])
    const streams = await converged(phone, laptop)
    const cart = streams.get(`Cart$${cartId}`)!
    expect(cart).toHaveLength(4)
    const ids = await storedIds(`Cart$${cartId}`)
    expect(ids).toEqual(cart.map((e) => e.eventId))
    expect(new Set(ids).size).toBe(4)
    expect(phone.engine.status.reports).toEqual([])
    expect(laptop.engine.status.reports).toEqual([])
  })

  it('drops, and reports, a pending change the server’s state no longer allows (rebase)', async () => {
    const phone = await openDevice(server, cookie, 'phone')
    const laptop = await openDevice(server, cookie, 'laptop')
    const cartId = crypto.randomUUID()
    await addItem(phone.repository, sencha(cartId))
    await phone.sync()
    await laptop.sync()
    laptop.online = false
    await removeItem(phone.repository, { cartId, itemId: 'sencha' })
    await phone.sync()
    await updateItemQuantity(laptop.repository, { cartId, itemId: 'sencha', quantity: 5 })
    await addItem(laptop.repository, matcha(cartId))
    laptop.online = true
    await laptop.sync()
    await phone.sync()
    const streams = await converged(phone, laptop)
    expect(streams.get(`Cart$${cartId}`)?.map((e) => e.type)).toEqual(['Cart.ItemAdded', 'Cart.ItemRemoved', 'Cart.ItemAdded'])
    const [report] = laptop.engine.status.reports
    expect(laptop.engine.status.reports).toHaveLength(1)
    expect(report).toMatchObject({ kind: 'dropped', stream: `Cart$${cartId}`, type: 'Cart.ItemQuantityUpdated', reason: { code: 'Cart.ItemNotInCartError', error: 'Cart.ItemNotInCartError' } })
    expect(laptop.engine.status.pending).toBe(0)
  })

  it('rejects, and reports, the second device’s order when both checked the same cart out offline', async () => {
    const phone = await openDevice(server, cookie, 'phone')
    const laptop = await openDevice(server, cookie, 'laptop')
    const cartId = crypto.randomUUID()
    await addItem(phone.repository, sencha(cartId, 2))
    await phone.sync()
    await laptop.sync()
    phone.online = false
    laptop.online = false
    await checkout(phone.store, phone.repository, { cartId, orderId: 'phone-order' + cartId })
    await checkout(laptop.store, laptop.repository, { cartId, orderId: 'laptop-order' + cartId })
    phone.online = true
    await phone.sync()
    laptop.online = true
    await laptop.sync()
    await phone.sync()
    const streams = await converged(phone, laptop)
    expect(streams.has(`Order$laptop-order${cartId}`)).toBe(false)
    expect(streams.get(`Order$phone-order${cartId}`)?.map((e) => e.type)).toEqual(['Order.Placed'])
    const kinds = laptop.engine.status.reports.map((r) => [r.kind, r.type])
    expect(kinds).toContainEqual(['rejected', 'Order.Placed'])
    expect(kinds).toContainEqual(['dropped', 'Cart.CheckedOut'])
    expect(await storedIds(`Order$laptop-order${cartId}`)).toEqual([])
  })

  it('pushes nothing twice when an answer was lost: the retry is confirmed by the server’s events', async () => {
    const phone = await openDevice(server, cookie, 'phone')
    const cartId = crypto.randomUUID()
    await addItem(phone.repository, sencha(cartId))
    // The push reaches the server, but its answer never comes back.
    const original = phone.engine['options'].transport.push
    phone.engine['options'].transport.push = async (body) => {
      await original(body)
      throw new TypeError('connection reset')
    }
    await phone.sync()
    expect(phone.engine.status.pending).toBe(1)
    phone.engine['options'].transport.push = original
    await addItem(phone.repository, matcha(cartId))
    await phone.sync()
    expect(phone.engine.status.pending).toBe(0)
    expect(await storedIds(`Cart$${cartId}`)).toHaveLength(2)
    expect((await phone.streams()).get(`Cart$${cartId}`)?.map((e) => e.eventId)).toEqual(await storedIds(`Cart$${cartId}`))
  })

  it('keeps every local change when the session has expired, and pushes them once signed in again', async () => {
    const phone = await openDevice(server, cookie, 'phone')
    const cartId = crypto.randomUUID()
    await addItem(phone.repository, sencha(cartId))
    await server.db.query('DELETE FROM sessions')
    await phone.sync()
    expect(phone.engine.status).toMatchObject({ connection: 'signed-out', pending: 1 })
    expect(await phone.store.read.stream(`Cart$${cartId}`).count()).toBe(1)
    await server.db.query('SELECT 1')
    // Signing in again gives the device a new session (the test gives the transport its cookie).
    // The user signed up last (ids are random: their order says nothing of when).
    const [row] = await server.db.query<{ email: string }>('SELECT email FROM users ORDER BY created_at DESC LIMIT 1')
    const login = await server.app.request('http://kiroku.test/api/auth/login', {
      method: 'POST',
      body: JSON.stringify({ email: row?.email, password: 'correct horse' }),
      headers: { 'content-type': 'application/json' },
    })
    phone.cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string
    await phone.sync()
    expect(phone.engine.status).toMatchObject({ connection: 'online', pending: 0 })
    expect(await storedIds(`Cart$${cartId}`)).toHaveLength(1)
  })

  it('drops a change that breaks a domain rule on the server too, and stores nothing of it', async () => {
    const phone = await openDevice(server, cookie, 'phone')
    const cartId = crypto.randomUUID()
    await addItem(phone.repository, sencha(cartId))
    // Written past the commands (as a tampered client would): a price that is not the catalog's.
    await phone.store.append([{ eventId: crypto.randomUUID(), type: 'Cart.ItemAdded', data: { cartId, itemId: 'matcha', quantity: 1, price: 1 }, metadata: {} }], { stream: `Cart$${cartId}`, expectedVersion: 0 })
    await phone.sync()
    expect(await storedIds(`Cart$${cartId}`)).toHaveLength(1)
    expect(phone.engine.status.reports).toMatchObject([{ kind: 'dropped', type: 'Cart.ItemAdded', reason: { code: 'invalid' } }])
    expect((await phone.streams()).get(`Cart$${cartId}`)).toHaveLength(1)
    expect(phone.engine.status.pending).toBe(0)
  })
})
