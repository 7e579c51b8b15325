// The check shared by the browser and the sync server: stored events replayed, new ones judged by the commands' rules.
import { describe, expect, it } from 'vitest'
import {
  CartCheckedOutError,
  CouponDiscountMismatchError,
  CurrentCartChangedError,
  InvalidQuantityError,
  OrderInconsistentError,
  OrderNotDraftError,
  PriceMismatchError,
  UnexpectedEventError,
  UnknownCouponError,
  UnknownProductError,
  checkEvents,
  checkStreamEvents,
  streamTypeOf,
  type DomainEvent,
} from '../../src/domain'

const ev = (type: string, data: unknown): DomainEvent => ({ type, data })
const added = (itemId: string, quantity: number, price: number) => ev('Cart.ItemAdded', { cartId: 'c1', itemId, quantity, price })
const lines = [
  { itemId: 'sencha', quantity: 2, price: 1200 },
  { itemId: 'matcha', quantity: 1, price: 2800 },
]
const placed = (over: Record<string, unknown> = {}) => ev('Order.Placed', { orderId: 'o1', cartId: 'c1', lines, subtotal: 5200, discount: 500, total: 4700, ...over })
const completed = ev('Order.Completed', { orderId: 'o1' })
const cartEvents = [added('sencha', 2, 1200), added('matcha', 1, 2800), ev('Cart.CouponApplied', { cartId: 'c1', code: 'WELCOME500', discount: 500 }), ev('Cart.CheckedOut', { cartId: 'c1', orderId: 'o1' })]
/** The account's cart c1, checked out to o1: an order is judged on the cart it names. */
const checkedOutCarts = new Map([['c1', cartEvents]])

describe('checkEvents on a cart', () => {
  it('accepts what the shop’s commands write', () => {
    expect(() => checkEvents('Cart', [], cartEvents)).not.toThrow()
  })

  it.each<[string, DomainEvent[], DomainEvent, new (...args: never[]) => Error]>([
    ['a price that is not the catalog’s', [], added('sencha', 1, 100), PriceMismatchError],
    ['a product not in the catalog', [], added('p1', 1, 100), UnknownProductError],
    ['an addition past 99', [added('sencha', 98, 1200)], added('sencha', 2, 1200), InvalidQuantityError],
    ['a quantity of 100', [added('sencha', 1, 1200)], ev('Cart.ItemQuantityUpdated', { cartId: 'c1', itemId: 'sencha', quantity: 100 }), InvalidQuantityError],
    ['a quantity of 0', [added('sencha', 1, 1200)], ev('Cart.ItemQuantityUpdated', { cartId: 'c1', itemId: 'sencha', quantity: 0 }), InvalidQuantityError],
    ['an unknown coupon', [], ev('Cart.CouponApplied', { cartId: 'c1', code: 'FREE', discount: 5000 }), UnknownCouponError],
    ['a coupon with another discount', [], ev('Cart.CouponApplied', { cartId: 'c1', code: 'WELCOME500', discount: 5000 }), CouponDiscountMismatchError],
    ['an addition to a checked-out cart', cartEvents, added('sencha', 1, 1200), CartCheckedOutError],
    ['an event of another aggregate', [], completed, UnexpectedEventError],
  ])('refuses %s with the domain’s error', (_, stored, event, error) => {
    expect(() => checkEvents('Cart', stored, [event])).toThrow(error)
  })

  it('replays stored events without judging them (older prices stay), and checks each new event on the state the earlier ones left', () => {
    expect(() => checkEvents('Cart', [added('p1', 1, 100)], [added('sencha', 1, 1200), ev('Cart.ItemRemoved', { cartId: 'c1', itemId: 'p1' })])).not.toThrow()
    expect(() => checkEvents('Cart', [], [added('sencha', 50, 1200), added('sencha', 50, 1200)])).toThrow(InvalidQuantityError)
  })
})

describe('checkEvents on an order', () => {
  it('accepts an order placed then completed', () => {
    expect(() => checkEvents('Order', [], [placed(), completed], { id: 'o1', carts: checkedOutCarts })).not.toThrow()
  })

  it.each<[string, DomainEvent[], DomainEvent[], new (...args: never[]) => Error]>([
    ['completed before it was placed', [], [completed], OrderNotDraftError],
    ['completed twice', [placed(), completed], [completed], OrderNotDraftError],
    ['completed twice in one commit', [], [placed(), completed, completed], OrderNotDraftError],
    ['a total that is not subtotal − discount', [], [placed({ total: 1 })], OrderInconsistentError],
    ['a subtotal that is not the lines’', [], [placed({ subtotal: 6000, total: 5500 })], OrderInconsistentError],
    ['a discount no coupon gives', [], [placed({ discount: 5000, total: 200 })], OrderInconsistentError],
    ['a line at a price not the catalog’s', [], [placed({ lines: [{ itemId: 'sencha', quantity: 1, price: 1 }], subtotal: 1, discount: 0, total: 1 })], PriceMismatchError],
    ['a line of 100', [], [placed({ lines: [{ itemId: 'sencha', quantity: 100, price: 1200 }], subtotal: 120000, discount: 0, total: 120000 })], InvalidQuantityError],
    ['no lines', [], [placed({ lines: [], subtotal: 0, discount: 0, total: 0 })], OrderInconsistentError],
  ])('refuses an order %s', (_, stored, events, error) => {
    expect(() => checkEvents('Order', stored, events, { id: 'o1', carts: checkedOutCarts })).toThrow(error)
  })

  it('checks an order against the cart it was checked out from, when that cart is known', () => {
    const carts = new Map([['c1', cartEvents]])
    expect(() => checkEvents('Order', [], [placed()], { id: 'o1', carts })).not.toThrow()
    const other = placed({ lines: [{ itemId: 'sencha', quantity: 2, price: 1200 }], subtotal: 2400, discount: 500, total: 1900 })
    expect(() => checkEvents('Order', [], [other], { id: 'o1', carts })).toThrow(OrderInconsistentError)
  })

  it('refuses an order whose known cart was checked out to another order: the second of two offline checkouts', () => {
    const carts = new Map([['c1', cartEvents]])
    expect(() => checkEvents('Order', [], [placed({ orderId: 'o2' })], { id: 'o2', carts })).toThrow(
      new OrderInconsistentError('o2', 'cart c1 was checked out to another order'),
    )
  })

  it('refuses an order whose known cart was not checked out', () => {
    const carts = new Map([['c1', cartEvents.slice(0, 3)]])
    expect(() => checkEvents('Order', [], [placed()], { id: 'o1', carts })).toThrow(new OrderInconsistentError('o1', 'cart c1 was not checked out'))
  })

  it('refuses an order whose cart is not known (not among the carts given, or none given): the rule fails closed', () => {
    const refusal = new OrderInconsistentError('o1', "cart c1 is not one of this account's carts")
    expect(() => checkEvents('Order', [], [placed()], { id: 'o1', carts: new Map([['c9', cartEvents]]) })).toThrow(refusal)
    expect(() => checkEvents('Order', [], [placed()], { id: 'o1' })).toThrow(refusal)
    expect(() => checkEvents('Order', [], [placed()], { id: 'o1', carts: new Map([['c1', []]]) })).toThrow(refusal)
  })
})

describe('checkEvents on a shopper', () => {
  it('accepts a chain of carts and refuses a start from an outdated current cart', () => {
    const first = ev('Shopper.CartStarted', { shopperId: 's', cartId: 'c1', previousCartId: null })
    expect(() => checkEvents('Shopper', [], [first, ev('Shopper.CartStarted', { shopperId: 's', cartId: 'c2', previousCartId: 'c1' })])).not.toThrow()
    expect(() => checkEvents('Shopper', [first], [ev('Shopper.CartStarted', { shopperId: 's', cartId: 'c3', previousCartId: null })])).toThrow(CurrentCartChangedError)
  })
})

describe('checkEvents with the aggregate’s id', () => {
  const started = (shopperId: string) => ev('Shopper.CartStarted', { shopperId, cartId: 'c1', previousCartId: null })

  it('accepts events that name the stream’s own aggregate', () => {
    expect(() => checkEvents('Cart', [], cartEvents, { id: 'c1' })).not.toThrow()
    expect(() => checkEvents('Order', [], [placed(), completed], { id: 'o1', carts: checkedOutCarts })).not.toThrow()
    expect(() => checkEvents('Shopper', [], [started('s1')], { id: 's1' })).not.toThrow()
  })

  it.each<[string, Parameters<typeof checkEvents>, string, string]>([
    ['a cart event about another cart', ['Cart', [], [added('sencha', 1, 1200)], { id: 'c2' }], 'Cart.ItemAdded', 'it names cart c1, not c2'],
    ['a checkout of another cart', ['Cart', cartEvents.slice(0, 2), [ev('Cart.CheckedOut', { cartId: 'c9', orderId: 'o1' })], { id: 'c1' }], 'Cart.CheckedOut', 'it names cart c9, not c1'],
    ['a cart event that names no cart', ['Cart', [], [ev('Cart.ItemAdded', { itemId: 'sencha', quantity: 1, price: 1200 })], { id: 'c1' }], 'Cart.ItemAdded', 'it names no cart'],
    ['another order placed', ['Order', [], [placed()], { id: 'o2' }], 'Order.Placed', 'it names order o1, not o2'],
    ['another order completed', ['Order', [placed({ orderId: 'o2' })], [completed], { id: 'o2' }], 'Order.Completed', 'it names order o1, not o2'],
    ['another shopper’s cart started', ['Shopper', [], [started('s1')], { id: 's2' }], 'Shopper.CartStarted', 'it names shopper s1, not s2'],
  ])('refuses %s with UnexpectedEventError', (_, [type, stored, events, options], eventType, reason) => {
    expect(() => checkEvents(type, stored, events, options)).toThrow(new UnexpectedEventError(type, eventType, reason))
  })

  it('compares ids only when the id is given: checkStreamEvents gives the part after the $', () => {
    expect(() => checkEvents('Cart', [], [added('sencha', 1, 1200)])).not.toThrow()
    expect(() => checkStreamEvents('Cart$B', [], [ev('Cart.ItemAdded', { cartId: 'A', itemId: 'sencha', quantity: 1, price: 1200 })])).toThrow(
      new UnexpectedEventError('Cart', 'Cart.ItemAdded', 'it names cart A, not B'),
    )
    expect(() => checkStreamEvents('Cart$c1', [], [added('sencha', 1, 1200)])).not.toThrow()
    // A cart's event goes only in its own cart's stream (issue 24): `cart-1` holds none.
    expect(() => checkStreamEvents('cart-1', [], [added('sencha', 1, 1200)])).toThrow(new UnexpectedEventError('Cart', 'Cart.ItemAdded', 'its stream is Cart$c1, not cart-1'))
  })
})

describe('streams by name', () => {
  it('finds the aggregate by the stream name, else by the events’ types, and checks nothing else', () => {
    expect(streamTypeOf('Cart$c1')).toBe('Cart')
    expect(streamTypeOf('Order$o1')).toBe('Order')
    expect(streamTypeOf('cart-1', [added('sencha', 1, 1200)])).toBe('Cart')
    expect(streamTypeOf('ping-1', [ev('Test.Pinged', {})])).toBeUndefined()
    expect(() => checkStreamEvents('ping-1', [], [ev('Test.Pinged', {})])).not.toThrow()
    expect(() => checkStreamEvents('Cart$c1', [], [completed])).toThrow(UnexpectedEventError)
    expect(() => checkStreamEvents('Order$o1', [], [completed])).toThrow(new OrderNotDraftError('o1', 'none'))
  })
})
