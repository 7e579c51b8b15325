import { describe, expect, it } from 'vitest'
import { AggregateRepository, EventStoreError, reviveError, type NewEvent } from '../../src/eventstore'
import { given } from '../../src/eventstore/testing'
import {
  Cart,
  CartCheckedOutError,
  CheckedOut,
  CouponAlreadyAppliedError,
  CouponApplied,
  DomainError,
  EmptyCartError,
  InvalidItemError,
  InvalidPriceError,
  InvalidQuantityError,
  ItemAdded,
  ItemNotInCartError,
  ItemQuantityUpdated,
  ItemRemoved,
  MAX_QUANTITY,
  PriceMismatchError,
  UnknownCouponError,
  UnknownProductError,
  catalog,
  addItem,
  applyCoupon,
  coupons,
  removeItem,
  updateItemQuantity,
} from '../../src/domain'
import { failure } from '../support/failure'
import { openTestStore } from '../support/stores'

const cartId = 'c1'
const added = (itemId: string, quantity: number, price: number) => ItemAdded({ cartId, itemId, quantity, price })
const couponApplied = (code: string) => CouponApplied({ cartId, code, discount: coupons[code]! })
/** A cart holding 2 × p1 at 3000 yen and 1 × p2 at 1500 yen. */
const twoItems: readonly NewEvent[] = [added('p1', 2, 3000), added('p2', 1, 1500)]

const cart = (events: readonly NewEvent[] = twoItems) => given(Cart, events, cartId)

describe('Cart.addItem', () => {
  it('adds a new item with its quantity and unit price', () => {
    const result = cart([]).when((c) => c.addItem('sencha', 2, 1200)).thenEmits([added('sencha', 2, 1200)])
    expect(result.lines).toEqual([{ itemId: 'sencha', quantity: 2, price: 1200 }])
  })

  it('adds to the quantity of an item already in the cart instead of adding a second line', () => {
    const result = cart([added('sencha', 2, 1200), added('furoshiki', 1, 1500)])
      .when((c) => c.addItem('sencha', 3, 1200))
      .thenEmits([added('sencha', 3, 1200)])
    expect(result.lines).toEqual([
      { itemId: 'sencha', quantity: 5, price: 1200 },
      { itemId: 'furoshiki', quantity: 1, price: 1500 },
    ])
  })

  it.each([1, MAX_QUANTITY])('accepts a quantity of %s', (quantity) => {
    cart([]).when((c) => c.addItem('sencha', quantity, 1200)).thenEmits([added('sencha', quantity, 1200)])
  })

  it.each([0, -1, 1.5, MAX_QUANTITY + 1, Number.NaN, Number.POSITIVE_INFINITY])('rejects a quantity of %s with InvalidQuantityError', (quantity) => {
    cart([]).when((c) => c.addItem('sencha', quantity, 1200)).thenThrows(InvalidQuantityError)
  })

  it('rejects a quantity given as text with InvalidQuantityError', () => {
    cart([]).when((c) => c.addItem('sencha', '2' as unknown as number, 1200)).thenThrows(InvalidQuantityError)
  })

  it('rejects an addition that would take the item past MAX_QUANTITY in total', () => {
    const result = cart([added('sencha', MAX_QUANTITY - 1, 1200)])
      .when((c) => c.addItem('sencha', 2, 1200))
      .thenThrows(InvalidQuantityError)
    expect(result.lines).toEqual([{ itemId: 'sencha', quantity: MAX_QUANTITY - 1, price: 1200 }])
  })

  it('accepts an addition that brings the item to exactly MAX_QUANTITY', () => {
    const result = cart([added('sencha', MAX_QUANTITY - 1, 1200)])
      .when((c) => c.addItem('sencha', 1, 1200))
      .thenEmits([added('sencha', 1, 1200)])
    expect(result.lines[0]?.quantity).toBe(MAX_QUANTITY)
  })

  // Was 'accepts a free item (price 0)': prices are now the catalog's, and the catalog has no free item.
  it('rejects a price of 0 for a product that is not free with PriceMismatchError', () => {
    cart([]).when((c) => c.addItem('sencha', 1, 0)).thenThrows(PriceMismatchError)
  })

  it('rejects a price that is not the catalog’s with PriceMismatchError', () => {
    const result = cart([]).when((c) => c.addItem('sencha', 1, 100)).thenThrows(PriceMismatchError)
    expect(result.lines).toEqual([])
  })

  it('rejects a product the catalog does not have with UnknownProductError', () => {
    cart([]).when((c) => c.addItem('p1', 1, 100)).thenThrows(UnknownProductError)
  })

  it('accepts every catalog product at its catalog price', () => {
    for (const product of catalog) cart([]).when((c) => c.addItem(product.id, 1, product.price)).thenEmits([added(product.id, 1, product.price)])
  })

  it.each([-1, 99.5, Number.NaN, Number.POSITIVE_INFINITY])('rejects a price of %s with InvalidPriceError', (price) => {
    cart([]).when((c) => c.addItem('sencha', 1, price)).thenThrows(InvalidPriceError)
  })

  it('rejects a price given as text with InvalidPriceError', () => {
    cart([]).when((c) => c.addItem('sencha', 1, '1200' as unknown as number)).thenThrows(InvalidPriceError)
  })

  it.each(['', '   '])('rejects the item id %j with InvalidItemError', (itemId) => {
    cart([]).when((c) => c.addItem(itemId, 1, 100)).thenThrows(InvalidItemError)
  })
})

describe('Cart.updateItemQuantity', () => {
  it('sets the item’s quantity', () => {
    const result = cart()
      .when((c) => c.updateItemQuantity('p1', 7))
      .thenEmits([ItemQuantityUpdated({ cartId, itemId: 'p1', quantity: 7 })])
    expect(result.lines.find((l) => l.itemId === 'p1')?.quantity).toBe(7)
  })

  it('applies nothing when the quantity is the one the item already has', () => {
    cart().when((c) => c.updateItemQuantity('p1', 2)).thenEmits([])
  })

  it('rejects an item that is not in the cart with ItemNotInCartError', () => {
    cart().when((c) => c.updateItemQuantity('p9', 1)).thenThrows(ItemNotInCartError)
  })

  it('rejects an item that was removed with ItemNotInCartError', () => {
    cart([...twoItems, ItemRemoved({ cartId, itemId: 'p1' })])
      .when((c) => c.updateItemQuantity('p1', 1))
      .thenThrows(ItemNotInCartError)
  })

  it.each([0, -3, 2.5, MAX_QUANTITY + 1])('rejects a quantity of %s with InvalidQuantityError', (quantity) => {
    const result = cart().when((c) => c.updateItemQuantity('p1', quantity)).thenThrows(InvalidQuantityError)
    expect(result.lines.find((l) => l.itemId === 'p1')?.quantity).toBe(2)
  })
})

describe('Cart.removeItem', () => {
  it('removes the item’s line', () => {
    const result = cart()
      .when((c) => c.removeItem('p1'))
      .thenEmits([ItemRemoved({ cartId, itemId: 'p1' })])
    expect(result.lines).toEqual([{ itemId: 'p2', quantity: 1, price: 1500 }])
  })

  it('rejects an item that is not in the cart with ItemNotInCartError', () => {
    cart().when((c) => c.removeItem('p9')).thenThrows(ItemNotInCartError)
  })

  it('rejects removing the same item twice with ItemNotInCartError', () => {
    cart([...twoItems, ItemRemoved({ cartId, itemId: 'p2' })])
      .when((c) => c.removeItem('p2'))
      .thenThrows(ItemNotInCartError)
  })
})

describe('Cart.applyCoupon', () => {
  it('applies a known coupon with the discount the coupon list gives it', () => {
    const result = cart()
      .when((c) => c.applyCoupon('WELCOME500'))
      .thenEmits([CouponApplied({ cartId, code: 'WELCOME500', discount: coupons.WELCOME500! })])
    expect(result.coupon).toEqual({ code: 'WELCOME500', discount: 500 })
  })

  it('ignores the case of the code and the spaces around it, and records the code in its standard form', () => {
    cart()
      .when((c) => c.applyCoupon('  kiroku1000 '))
      .thenEmits([couponApplied('KIROKU1000')])
  })

  it('rejects an unknown code with UnknownCouponError', () => {
    const result = cart().when((c) => c.applyCoupon('FREESTUFF')).thenThrows(UnknownCouponError)
    expect(result.coupon).toBeNull()
  })

  it('rejects the coupon the cart already has with CouponAlreadyAppliedError', () => {
    cart([...twoItems, couponApplied('WELCOME500')])
      .when((c) => c.applyCoupon('WELCOME500'))
      .thenThrows(CouponAlreadyAppliedError)
  })

  it('recognises the coupon already applied even when typed in another case', () => {
    cart([...twoItems, couponApplied('WELCOME500')])
      .when((c) => c.applyCoupon(' welcome500'))
      .thenThrows(CouponAlreadyAppliedError)
  })

  it('replaces the coupon already applied with another one', () => {
    const result = cart([...twoItems, couponApplied('WELCOME500')])
      .when((c) => c.applyCoupon('SPRING300'))
      .thenEmits([couponApplied('SPRING300')])
    expect(result.coupon).toEqual({ code: 'SPRING300', discount: 300 })
    expect(result.discount).toBe(300)
  })
})

describe('Cart totals', () => {
  it('are all zero for an empty cart', () => {
    const result = cart([]).when(() => undefined).thenEmits([])
    expect([result.subtotal, result.discount, result.totalPrice]).toEqual([0, 0, 0])
  })

  it('give a total price of Σ quantity × price when there is no coupon', () => {
    const result = cart().when(() => undefined).thenEmits([])
    expect(result.subtotal).toBe(2 * 3000 + 1 * 1500)
    expect(result.discount).toBe(0)
    expect(result.totalPrice).toBe(7500)
  })

  it('take the coupon’s discount off the subtotal', () => {
    const result = cart([...twoItems, couponApplied('WELCOME500')]).when(() => undefined).thenEmits([])
    expect(result.subtotal).toBe(7500)
    expect(result.discount).toBe(500)
    expect(result.totalPrice).toBe(7000)
  })

  it('follow quantity updates and removals', () => {
    const result = cart([...twoItems, couponApplied('SPRING300')])
      .when((c) => {
        c.updateItemQuantity('p1', 3)
        c.removeItem('p2')
      })
      .thenEmits([ItemQuantityUpdated({ cartId, itemId: 'p1', quantity: 3 }), ItemRemoved({ cartId, itemId: 'p2' })])
    expect(result.subtotal).toBe(9000)
    expect(result.totalPrice).toBe(8700)
  })

  it('never go below zero when the coupon is worth more than the subtotal', () => {
    const result = cart([added('p1', 1, 300), couponApplied('KIROKU1000')]).when(() => undefined).thenEmits([])
    expect(result.subtotal).toBe(300)
    expect(result.discount).toBe(300)
    expect(result.totalPrice).toBe(0)
  })
})

describe('Cart.checkout', () => {
  it('checks a cart with items out into the given order', () => {
    const result = cart()
      .when((c) => c.checkout('o1'))
      .thenEmits([CheckedOut({ cartId, orderId: 'o1' })])
    expect(result.orderId).toBe('o1')
  })

  it('rejects an empty cart with EmptyCartError', () => {
    cart([]).when((c) => c.checkout('o1')).thenThrows(EmptyCartError)
  })

  it('rejects a cart whose items were all removed with EmptyCartError', () => {
    cart([added('p1', 1, 100), ItemRemoved({ cartId, itemId: 'p1' })])
      .when((c) => c.checkout('o1'))
      .thenThrows(EmptyCartError)
  })

  const checkedOut = [...twoItems, CheckedOut({ cartId, orderId: 'o1' })]
  it.each<[string, (c: Cart) => void]>([
    ['addItem', (c) => c.addItem('p3', 1, 100)],
    ['updateItemQuantity', (c) => c.updateItemQuantity('p1', 5)],
    ['removeItem', (c) => c.removeItem('p1')],
    ['applyCoupon', (c) => c.applyCoupon('WELCOME500')],
    ['checkout', (c) => c.checkout('o2')],
  ])('rejects %s on a checked-out cart with CartCheckedOutError', (_, command) => {
    const result = cart(checkedOut).when(command).thenThrows(CartCheckedOutError)
    expect(result.lines).toHaveLength(2)
    expect(result.orderId).toBe('o1')
  })
})

describe('cart errors', () => {
  it.each<[string, EventStoreError]>([
    ['Cart.InvalidQuantityError', new InvalidQuantityError(0)],
    ['Cart.InvalidPriceError', new InvalidPriceError(-1)],
    ['Cart.InvalidItemError', new InvalidItemError('')],
    ['Cart.ItemNotInCartError', new ItemNotInCartError('p1')],
    ['Cart.UnknownCouponError', new UnknownCouponError('NOPE')],
    ['Cart.CouponAlreadyAppliedError', new CouponAlreadyAppliedError('WELCOME500')],
    ['Cart.CheckedOutError', new CartCheckedOutError('c1')],
    ['Cart.EmptyCartError', new EmptyCartError('c1')],
  ])('%s is a DomainError with that name, kept through a structured clone', (name, error) => {
    expect(error.name).toBe(name)
    expect(error).toBeInstanceOf(DomainError)
    expect(error).toBeInstanceOf(EventStoreError)
    expect(error.message).not.toBe('')
    const revived = reviveError(structuredClone(error.toJSON()))
    expect(revived).toBeInstanceOf(error.constructor)
    expect(revived.name).toBe(name)
    expect(revived.message).toBe(error.message)
  })
})

describe('cart commands through the repository', () => {
  it('store the accepted change in the stream Cart$<id>', async () => {
    const store = await openTestStore()
    const repository = new AggregateRepository(store)
    await addItem(repository, { cartId, itemId: 'sencha', quantity: 2, price: 1200 })
    const events = await store.read.stream('Cart$c1').toArray()
    expect(events.map(({ type, data }) => ({ type, data }))).toEqual([
      { type: 'Cart.ItemAdded', data: { cartId, itemId: 'sencha', quantity: 2, price: 1200 } },
    ])
    expect((await repository.load(Cart, cartId)).totalPrice).toBe(2400)
  })

  it('write nothing when the cart rejects the command: the stream version stays the same', async () => {
    const store = await openTestStore()
    const repository = new AggregateRepository(store)
    await addItem(repository, { cartId, itemId: 'sencha', quantity: 2, price: 1200 })
    const before = await store.streamVersion('Cart$c1')
    const rejected = [
      await failure(() => addItem(repository, { cartId, itemId: 'sencha', quantity: 0, price: 1200 })),
      await failure(() => addItem(repository, { cartId, itemId: 'matcha', quantity: 1, price: -5 })),
      await failure(() => updateItemQuantity(repository, { cartId, itemId: 'p9', quantity: 1 })),
      await failure(() => removeItem(repository, { cartId, itemId: 'p9' })),
      await failure(() => applyCoupon(repository, { cartId, code: 'NOPE' })),
    ]
    expect(rejected.map((e) => e.name)).toEqual([
      'Cart.InvalidQuantityError',
      'Cart.InvalidPriceError',
      'Cart.ItemNotInCartError',
      'Cart.ItemNotInCartError',
      'Cart.UnknownCouponError',
    ])
    expect(await store.streamVersion('Cart$c1')).toBe(before)
    expect(await store.read.count()).toBe(1)
  })

  it('write nothing for a rejected command on a cart that has no events yet', async () => {
    const store = await openTestStore()
    const repository = new AggregateRepository(store)
    const error = await failure(() => addItem(repository, { cartId, itemId: '', quantity: 1, price: 100 }))
    expect(error).toBeInstanceOf(InvalidItemError)
    expect(await store.streamVersion('Cart$c1')).toBe(-1)
    expect(await store.read.count()).toBe(0)
  })
})
