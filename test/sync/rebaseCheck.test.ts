// A rebase's check against the real server (in-process, PGlite): only the domain's refusals take a
// pending event out, reported with the rule that refused it. Anything else the app's check throws
// (a bug) keeps every pending event, holds that stream with a problem, and lets the others sync;
// an engine with fixed code (a reload) checks the events again.
import { describe, expect, it } from 'vitest'
import { addItem, checkStreamEvents, DomainError, removeItem, updateItemQuantity } from '../../src/domain'
import { EventStoreError, MissingHandlerError, StorageError } from '../../src/eventstore'
import { defineSync, isDomainError, SyncEngine, syncStateOf, type CheckedEvent, type SyncConfig, type SyncDefinition } from '../../src/sync'
import { shopSync } from '../../src/worker/shopSync'
import { openDevice, testServer, type Device } from './support/devices'

const server = testServer()

const sencha = (cartId: string, quantity = 1) => ({ cartId, itemId: 'sencha', quantity, price: 1200 })
const matcha = (cartId: string, quantity = 1) => ({ cartId, itemId: 'matcha', quantity, price: 2800 })

const storedIds = async (stream: string) =>
  (await server.db.query<{ event_id: string }>('SELECT event_id::text AS event_id FROM events WHERE stream = $1 ORDER BY stream_position', [stream])).map((row) => row.event_id)

const ids = async (device: Device, stream: string) => (await device.store.read.stream(stream).toArray()).map((event) => event.eventId)

/** The shop's policies with another check (and refusal test). */
const shopWith = (config: Omit<SyncConfig, 'policies'>): SyncDefinition => defineSync({ policies: shopSync.policies, ...config })

/** A check with a bug in it, as a library user may write one: it reads a field of nothing. */
const buggyCheck = (stream: string, confirmed: readonly CheckedEvent[], event: CheckedEvent) => {
  const rules = { cart: { check: checkStreamEvents } } as Record<string, { check: typeof checkStreamEvents }>
  ;(rules.Cart as { check: typeof checkStreamEvents }).check(stream, confirmed, [event])
}

/**
 * The phone and the laptop share a cart holding sencha. Offline, the laptop changes sencha's
 * quantity (and adds to another cart, `otherCartId`); meanwhile the phone adds matcha to the shared
 * cart, or (`phoneRemoves`) removes sencha from it, and syncs. Then the laptop comes back online.
 */
async function conflictingEdit(laptopDefinition: SyncDefinition, phoneRemoves = false) {
  const { cookie } = await server.signUp(`u${crypto.randomUUID()}@example.com`)
  const phone = await openDevice(server, cookie, 'phone')
  const laptop = await openDevice(server, cookie, 'laptop', laptopDefinition)
  const cartId = crypto.randomUUID()
  const otherCartId = crypto.randomUUID()
  await addItem(phone.repository, sencha(cartId))
  await phone.sync()
  await laptop.sync()
  laptop.online = false
  await updateItemQuantity(laptop.repository, { cartId, itemId: 'sencha', quantity: 3 })
  await addItem(laptop.repository, matcha(otherCartId))
  const [, pendingId] = await ids(laptop, `Cart$${cartId}`)
  if (phoneRemoves) await removeItem(phone.repository, { cartId, itemId: 'sencha' })
  else await addItem(phone.repository, matcha(cartId))
  await phone.sync()
  laptop.online = true
  await laptop.sync()
  return { cookie, phone, laptop, cart: `Cart$${cartId}`, otherCart: `Cart$${otherCartId}`, pendingId: pendingId as string }
}

describe('a rebase’s check', () => {
  it('keeps the pending change when check throws a TypeError while another device edited the stream: not dropped, a problem shown, the other streams synced', async () => {
    const { cookie, phone, laptop, cart, otherCart, pendingId } = await conflictingEdit(shopWith({ check: buggyCheck }))
    // The phone's event went in before the laptop's, which is still there, with its id.
    const onServer = await storedIds(cart)
    expect(onServer).toHaveLength(2)
    expect(await ids(laptop, cart)).toEqual([...onServer, pendingId])
    expect(laptop.engine.status.reports).toEqual([])
    expect(await laptop.store.db.table('syncReports').count()).toBe(0)
    expect(laptop.engine.status.pending).toBe(1)
    expect(laptop.engine.status.pendingCommits).toMatchObject([{ stream: cart, events: 1, types: ['Cart.ItemQuantityUpdated'] }])
    expect(laptop.engine.status.problem?.code).toBe('check_failed')
    expect(laptop.engine.status.problem?.message).toContain("TypeError: Cannot read properties of undefined (reading 'check')")
    expect(laptop.engine.status.problem?.message).toContain(cart)
    expect(syncStateOf(laptop.engine.status, laptop.engine.status.pending, true)).toBe('problem')
    // The other cart went to the server all the same, and the phone gets it.
    expect(await storedIds(otherCart)).toEqual(await ids(laptop, otherCart))
    expect(await storedIds(otherCart)).toHaveLength(1)
    await phone.sync()
    expect(await ids(phone, otherCart)).toEqual(await storedIds(otherCart))

    // The same engine pushes nothing of the held stream, and still says why.
    await laptop.sync()
    expect(await storedIds(cart)).toEqual(onServer)
    expect(await ids(laptop, cart)).toEqual([...onServer, pendingId])
    expect(laptop.engine.status.problem?.code).toBe('check_failed')

    // A reload with the check fixed: a new engine checks the change again, and pushes it.
    const fixed = new SyncEngine({ ...laptop.engine['options'], definition: shopSync })
    await fixed.sync()
    expect(await storedIds(cart)).toEqual([...onServer, pendingId])
    expect(fixed.status).toMatchObject({ connection: 'online', pending: 0, problem: null, reports: [] })
    const phoneAgain = await openDevice(server, cookie, 'fresh')
    await phoneAgain.sync()
    expect(await ids(phoneAgain, cart)).toEqual(await ids(laptop, cart))
  })

  it('still drops a change the domain refuses, and its report names the rule, not a conflict', async () => {
    const { laptop, cart, otherCart } = await conflictingEdit(shopSync, true)
    expect(laptop.engine.status.reports).toHaveLength(1)
    const [report] = laptop.engine.status.reports
    expect(report).toMatchObject({
      kind: 'dropped',
      stream: cart,
      type: 'Cart.ItemQuantityUpdated',
      reason: { code: 'Cart.ItemNotInCartError', error: 'Cart.ItemNotInCartError', message: 'That item (sencha) is no longer in the cart.' },
    })
    expect(report?.reason.code).not.toBe('conflict')
    expect(laptop.engine.status).toMatchObject({ pending: 0, problem: null })
    expect(await ids(laptop, cart)).toEqual(await storedIds(cart))
    expect(await storedIds(otherCart)).toHaveLength(1)
  })

  it('takes what the app’s isRefusal says is a refusal: a plain Error refused by its rule drops with its name and code; without isRefusal the same Error holds the stream', async () => {
    class RuleError extends Error {
      override name = 'Notes.RuleError'
      readonly code = 'cart_full'
    }
    const refusing = (_stream: string, confirmed: readonly CheckedEvent[], event: CheckedEvent) => {
      if (event.type === 'Cart.ItemQuantityUpdated' && confirmed.length >= 2) throw new RuleError('The cart changed meanwhile.')
    }
    const marked = await conflictingEdit(shopWith({ check: refusing, isRefusal: (error) => error instanceof RuleError }))
    expect(marked.laptop.engine.status.reports).toMatchObject([{ kind: 'dropped', reason: { code: 'cart_full', error: 'Notes.RuleError', message: 'The cart changed meanwhile.' } }])
    expect(marked.laptop.engine.status.problem).toBeNull()

    const unmarked = await conflictingEdit(shopWith({ check: refusing }))
    expect(unmarked.laptop.engine.status.reports).toEqual([])
    expect(unmarked.laptop.engine.status.pending).toBe(1)
    expect(unmarked.laptop.engine.status.problem).toMatchObject({ code: 'check_failed', message: expect.stringContaining('Notes.RuleError: The cart changed meanwhile.') })
    expect(await ids(unmarked.laptop, unmarked.cart)).toContain(unmarked.pendingId)
  })

  it('holds the stream when check answers with a promise: its verdict would come too late to count', async () => {
    const { laptop, cart, pendingId } = await conflictingEdit(shopWith({ check: async () => undefined }))
    expect(laptop.engine.status.reports).toEqual([])
    expect(await ids(laptop, cart)).toContain(pendingId)
    expect(laptop.engine.status.problem).toMatchObject({ code: 'check_failed', message: expect.stringContaining('returned a promise') })
  })

  it('keeps the events the server refused when check fails on them, where a refusal would have dropped them', async () => {
    const { cookie } = await server.signUp(`u${crypto.randomUUID()}@example.com`)
    const phone = await openDevice(server, cookie, 'phone', shopWith({ check: buggyCheck }))
    const cartId = crypto.randomUUID()
    await addItem(phone.repository, sencha(cartId))
    // Written past the commands: a price that is not the catalog's, which the server refuses.
    await phone.store.append([{ eventId: crypto.randomUUID(), type: 'Cart.ItemAdded', data: { cartId, itemId: 'matcha', quantity: 1, price: 1 }, metadata: {} }], { stream: `Cart$${cartId}`, expectedVersion: 0 })
    const local = await ids(phone, `Cart$${cartId}`)
    await phone.sync()
    // The server refused the commit whole; the device keeps both events and pushes neither again.
    expect(await storedIds(`Cart$${cartId}`)).toEqual([])
    expect(await ids(phone, `Cart$${cartId}`)).toEqual(local)
    expect(phone.engine.status.reports).toEqual([])
    expect(phone.engine.status).toMatchObject({ pending: 2, problem: { code: 'check_failed' } })
    await phone.sync()
    expect(await storedIds(`Cart$${cartId}`)).toEqual([])
    // With the domain's own check, the rule drops the bad one, and the good one goes.
    const fixed = new SyncEngine({ ...phone.engine['options'], definition: shopSync })
    await fixed.sync()
    expect(fixed.status.reports).toMatchObject([{ kind: 'dropped', type: 'Cart.ItemAdded', eventId: local[1], reason: { code: 'Cart.PriceMismatchError', error: 'Cart.PriceMismatchError' } }])
    expect(fixed.status).toMatchObject({ pending: 0, problem: null })
    expect(await storedIds(`Cart$${cartId}`)).toEqual(local.slice(0, 1))
  })
})

describe('isDomainError, the default isRefusal', () => {
  it('is true for an app’s own subclass of EventStoreError, as the shop’s DomainError', () => {
    class OutOfStock extends EventStoreError {
      override name = 'Stock.OutOfStockError'
    }
    expect(isDomainError(new DomainError('no'))).toBe(true)
    expect(isDomainError(new OutOfStock('none left'))).toBe(true)
  })

  it('is false for the language’s errors, a plain Error, a bare EventStoreError, the store’s own errors and what is not an error', () => {
    for (const error of [
      new TypeError('x'),
      new RangeError('x'),
      new Error('x'),
      new EventStoreError('x'),
      new MissingHandlerError('Cart', 'Cart.Unknown'),
      new StorageError('UnknownError', 'x'),
      'refused',
      { name: 'DomainError', message: 'x' },
    ]) {
      expect(isDomainError(error)).toBe(false)
    }
  })
})
