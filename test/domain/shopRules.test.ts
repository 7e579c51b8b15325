// The shop's rules as the library's defineRules holds them: what is new next to the older check
// (checkEvents.test.ts, streamCategories.test.ts, which run through the same rules).
import { describe, expect, it } from 'vitest'
import { CartCheckedOutError, ItemNotInCartError, OrderNotDraftError, shopRules } from '../../src/domain'
import { EventNotProducedError, EventOutOfPlaceError, StreamIdMismatchError } from '../../src/eventstore'

const added = (quantity = 1) => ({ type: 'Cart.ItemAdded', data: { cartId: 'c1', itemId: 'sencha', quantity, price: 1200 } })
const updated = (quantity: number, itemId = 'sencha') => ({ type: 'Cart.ItemQuantityUpdated', data: { cartId: 'c1', itemId, quantity } })

describe('shopRules', () => {
  it('govern the shop’s three categories, and know every event the shop writes', () => {
    expect(['Cart$c1', 'Order$o1', 'Shopper$u1', 'Other$1'].map((stream) => shopRules.categoryOf(stream))).toEqual(['Cart', 'Order', 'Shopper', undefined])
    expect([...shopRules.definitions.keys()].sort()).toEqual([
      'Cart.CheckedOut',
      'Cart.CouponApplied',
      'Cart.ItemAdded',
      'Cart.ItemQuantityUpdated',
      'Cart.ItemRemoved',
      'Order.Completed',
      'Order.Placed',
      'Shopper.CartStarted',
    ])
  })

  it('take a quantity set to what the line already has: two devices that agree are not told one change was refused', () => {
    expect(() => shopRules.check('Cart$c1', [added(), updated(3)], [updated(3)])).not.toThrow()
    // Only a line there and a quantity in range: the command's own rules still refuse the others.
    expect(() => shopRules.check('Cart$c1', [added()], [updated(3, 'matcha')])).toThrow(ItemNotInCartError)
  })

  it('refuse a cart event that carries more than the command writes', () => {
    expect(() => shopRules.check('Cart$c1', [], [{ type: 'Cart.ItemAdded', data: { ...added().data, gift: true } }])).toThrow(EventNotProducedError)
  })

  it('throw the library’s refusals directly, and the domain’s own errors for the shop’s rules', () => {
    expect(() => shopRules.check('side-1', [], [added()])).toThrow(EventOutOfPlaceError)
    expect(() => shopRules.check('Cart$c2', [], [added()])).toThrow(StreamIdMismatchError)
    expect(() => shopRules.check('Cart$c1', [added(), { type: 'Cart.CheckedOut', data: { cartId: 'c1', orderId: 'o1' } }], [added()])).toThrow(CartCheckedOutError)
    expect(() => shopRules.check('Order$o1', [], [{ type: 'Order.Completed', data: { orderId: 'o1' } }])).toThrow(OrderNotDraftError)
    expect(shopRules.isRefusal(new OrderNotDraftError('o1', 'none'))).toBe(true)
  })
})
