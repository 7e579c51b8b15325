// The stream categories' rules as the browser runs them (issue 24, items 3 and 4): a category's
// events only in its own streams, a rule that needs another stream refusing when it is missing,
// a Shopper stream named after its owner, and the shop's own commands passing the same check.
import { describe, expect, it } from 'vitest'
import {
  type DomainEvent,
  OrderInconsistentError,
  OrderNotDraftError,
  UnexpectedEventError,
  addItem,
  applyCoupon,
  checkStreamEvents,
  checkout,
  completeOrder,
  openCurrentCart,
  ownerNamedBy,
  parseStreamName,
  streamsReadBy,
} from '../../src/domain'
import { AggregateRepository } from '../../src/eventstore'
import { shopSync } from '../../src/worker/shopSync'
import { openTestStore } from '../support/stores'

const ev = (type: string, data: unknown): DomainEvent => ({ type, data })
const lines = [{ itemId: 'sencha', quantity: 1, price: 1200 }]
const placed = (over: Record<string, unknown> = {}) => ev('Order.Placed', { orderId: 'o1', cartId: 'c1', lines, subtotal: 1200, discount: 0, total: 1200, ...over })
const cart = (...more: DomainEvent[]) => [ev('Cart.ItemAdded', { cartId: 'c1', itemId: 'sencha', quantity: 1, price: 1200 }), ...more]
const checkedOut = (orderId = 'o1') => ev('Cart.CheckedOut', { cartId: 'c1', orderId })

describe('stream names', () => {
  it('are <Category>$<id> for the shop’s categories, and nothing else', () => {
    expect(parseStreamName('Cart$c1')).toEqual({ type: 'Cart', id: 'c1' })
    expect(parseStreamName('Order$a$b')).toEqual({ type: 'Order', id: 'a$b' })
    expect(['order$X', 'Y$X', 'plainX', 'Cart$', 'Carts$c1'].map(parseStreamName)).toEqual([undefined, undefined, undefined, undefined, undefined])
  })

  it('name the owner of a Shopper stream only: every other stream is owned by its first writer', () => {
    expect(ownerNamedBy('Shopper$4503599627370497')).toBe('4503599627370497')
    expect(ownerNamedBy('Shopper$local')).toBe('local')
    expect([ownerNamedBy('Cart$c1'), ownerNamedBy('Order$o1'), ownerNamedBy('shopper$1'), ownerNamedBy('Shopper$')]).toEqual([undefined, undefined, undefined, undefined])
  })

  it('say which other streams a commit’s rules read: an order’s cart', () => {
    expect(streamsReadBy('Order$o1', [placed(), ev('Order.Completed', { orderId: 'o1' })])).toEqual(['Cart$c1'])
    expect(streamsReadBy('Cart$c1', cart(checkedOut()))).toEqual([])
    expect(streamsReadBy('plain', [placed()])).toEqual([])
  })
})

describe('a category’s events', () => {
  const streams = new Map([['Cart$c1', cart(checkedOut())]])

  it.each(['order$o1', 'Y$o1', 'plaino1', 'Order$', 'Cart$o1'])('go in Order$<orderId> only: an Order.Placed in %s is refused', (stream) => {
    expect(() => checkStreamEvents(stream, [], [placed()], { streams })).toThrow(new UnexpectedEventError('Order', 'Order.Placed', `its stream is Order$o1, not ${stream}`))
  })

  it('refuse an Order.Completed in a side stream, and in the order’s own stream before its Order.Placed', () => {
    const completed = ev('Order.Completed', { orderId: 'o1' })
    expect(() => checkStreamEvents('side-o1', [], [completed])).toThrow(new UnexpectedEventError('Order', 'Order.Completed', 'its stream is Order$o1, not side-o1'))
    expect(() => checkStreamEvents('Order$o1', [], [completed])).toThrow(new OrderNotDraftError('o1', 'none'))
    expect(() => checkStreamEvents('Order$o1', [placed()], [completed])).not.toThrow()
  })

  it('refuse a Cart event in a stream of no category and a Shopper event that names no shopper', () => {
    expect(() => checkStreamEvents('cart-1', [], cart())).toThrow(UnexpectedEventError)
    expect(() => checkStreamEvents('x', [], [ev('Shopper.CartStarted', { cartId: 'c1', previousCartId: null })])).toThrow(
      new UnexpectedEventError('Shopper', 'Shopper.CartStarted', 'its stream is Shopper$<its shopperId>, not x'),
    )
  })

  it('leave a stream of no category holding none of them unchecked', () => {
    expect(() => checkStreamEvents('ping-1', [], [ev('Test.Pinged', {})])).not.toThrow()
  })
})

describe('an Order.Placed needs its cart, and fails closed without it', () => {
  const notOurs = new OrderInconsistentError('o1', "cart c1 is not one of this account's carts")

  it('is taken with the cart checked out to it, with its lines and totals', () => {
    expect(() => checkStreamEvents('Order$o1', [], [placed()], { streams: new Map([['Cart$c1', cart(checkedOut())]]) })).not.toThrow()
  })

  it.each([
    ['no streams given', undefined],
    ['the cart missing (unknown, or another account’s: told apart by nothing)', new Map([['Cart$c2', cart(checkedOut())]])],
    ['the cart stream empty', new Map([['Cart$c1', []]])],
  ])('is refused with %s', (_, streams) => {
    expect(() => checkStreamEvents('Order$o1', [], [placed()], streams === undefined ? {} : { streams })).toThrow(notOurs)
  })

  it('is refused for a cart never checked out, or checked out to another order', () => {
    expect(() => checkStreamEvents('Order$o1', [], [placed()], { streams: new Map([['Cart$c1', cart()]]) })).toThrow(new OrderInconsistentError('o1', 'cart c1 was not checked out'))
    expect(() => checkStreamEvents('Order$o1', [], [placed()], { streams: new Map([['Cart$c1', cart(checkedOut('o2'))]]) })).toThrow(
      new OrderInconsistentError('o1', 'cart c1 was checked out to another order'),
    )
  })

  it('is refused with a coupon’s discount its cart never had', () => {
    const discounted = placed({ discount: 500, total: 700 })
    expect(() => checkStreamEvents('Order$o1', [], [discounted], { streams: new Map([['Cart$c1', cart(checkedOut())]]) })).toThrow(
      new OrderInconsistentError('o1', 'its lines or totals do not match cart c1 it was checked out from'),
    )
    expect(() => checkStreamEvents('Order$o1', [], [discounted])).toThrow(notOurs)
  })
})

describe('the shop’s own commands', () => {
  it('write streams that pass the check: each whole (as the server judges them) and event by event (as a rebase does)', async () => {
    const store = await openTestStore()
    const repository = new AggregateRepository(store)
    const shopperId = '4503599627370497'
    const cartId = await openCurrentCart(store, repository, { shopperId, newCartId: 'cart-a' })
    await addItem(repository, { cartId, itemId: 'matcha', quantity: 2, price: 2800 })
    await applyCoupon(repository, { cartId, code: 'welcome500' })
    await checkout(store, repository, { cartId, orderId: 'order-a', shopperId, nextCartId: 'cart-b' })
    await completeOrder(repository, 'order-a')
    await addItem(repository, { cartId: 'cart-b', itemId: 'fan', quantity: 1, price: 1100 })

    const names = ['Cart$cart-a', 'Cart$cart-b', 'Order$order-a', `Shopper$${shopperId}`]
    const streams = new Map<string, DomainEvent[]>()
    for (const name of names) streams.set(name, (await store.read.stream(name).toArray()).map(({ type, data }) => ({ type, data })))
    expect([...streams.values()].map((events) => events.length)).toEqual([3, 1, 2, 2])
    expect(ownerNamedBy(`Shopper$${shopperId}`)).toBe(shopperId)

    for (const [name, events] of streams) {
      expect(() => checkStreamEvents(name, [], events, { streams: new Map(streamsReadBy(name, events).map((other) => [other, streams.get(other) ?? []])) })).not.toThrow()
    }
    // The browser's rebase check runs on the streams that rebase (carts, the shopper); orders are rejected, never rebased.
    for (const name of names.filter((stream) => shopSync.policyOf(stream) === 'rebase')) {
      const events = streams.get(name)!
      events.forEach((event, at) => expect(() => shopSync.check!(name, events.slice(0, at), event)).not.toThrow())
    }
    expect(shopSync.policyOf('Order$order-a')).toBe('reject')
  })
})
