import { describe, expect, it } from 'vitest'
import { AggregateRepository, EventStoreError, reviveError, type EventStore, type NewEvent } from '../../src/eventstore'
import { given } from '../../src/eventstore/testing'
import {
  Cart,
  CartCheckedOutError,
  CheckedOut,
  CouponApplied,
  DomainError,
  EmptyCartError,
  ItemAdded,
  Order,
  OrderAlreadyPlacedError,
  OrderCompleted,
  OrderInconsistentError,
  OrderNotDraftError,
  OrderPlaced,
  addItem,
  applyCoupon,
  checkout,
  completeOrder,
  removeItem,
  shopRules,
  type OrderLine,
} from '../../src/domain'
import { failure } from '../support/failure'
import { openTestStore } from '../support/stores'

const orderId = 'o1'
const lines: OrderLine[] = [
  { itemId: 'chasen', quantity: 2, price: 2400 },
  { itemId: 'furoshiki', quantity: 1, price: 1500 },
]
const placed = OrderPlaced({ orderId, cartId: 'c1', lines, subtotal: 6300, discount: 500, total: 5800 })
const completed = OrderCompleted({ orderId })

const order = (events: readonly NewEvent[] = [placed]) => given(Order, events, orderId)
const shape = (events: ReadonlyArray<{ type: string; data: unknown }>) => events.map(({ type, data }) => ({ type, data }))

describe('Order.place', () => {
  it('places a draft order with the cart’s lines, subtotal, discount and total', () => {
    const result = order([])
      .when((o) => o.place('c1', lines, 6300, 500))
      .thenEmits([placed])
    expect(result.status).toBe('draft')
    expect(result.total).toBe(5800)
    expect(result.lines).toEqual(lines)
  })

  it('rejects placing the order a second time with OrderAlreadyPlacedError', () => {
    const result = order().when((o) => o.place('c2', lines, 100, 0)).thenThrows(OrderAlreadyPlacedError)
    expect(result.total).toBe(5800)
  })

  it('rejects placing a completed order again with OrderAlreadyPlacedError', () => {
    order([placed, completed])
      .when((o) => o.place('c2', lines, 100, 0))
      .thenThrows(OrderAlreadyPlacedError)
  })
})

describe('the order’s rules with the cart it names', () => {
  /** The cart c1 as stored: the order's lines, the coupon, checked out to `orderId` (or not at all). */
  const cart = (orderId: string | null) =>
    new Map([
      [
        'Cart$c1',
        [
          ItemAdded({ cartId: 'c1', ...lines[0]! }),
          ItemAdded({ cartId: 'c1', ...lines[1]! }),
          CouponApplied({ cartId: 'c1', code: 'WELCOME500', discount: 500 }),
          ...(orderId === null ? [] : [CheckedOut({ cartId: 'c1', orderId })]),
        ],
      ],
    ])

  it('takes an Order.Placed whose cart was checked out to this very order, with its lines and totals', () => {
    expect(() => shopRules.check(`Order$${orderId}`, [], [placed], { streams: cart(orderId) })).not.toThrow()
  })

  it.each([
    ['checked out to another order', cart('o2'), 'cart c1 was checked out to another order'],
    ['not checked out', cart(null), 'cart c1 was not checked out'],
  ])('refuses an Order.Placed whose cart was %s with OrderInconsistentError', (_, streams, reason) => {
    expect(() => shopRules.check(`Order$${orderId}`, [], [placed], { streams })).toThrow(new OrderInconsistentError(orderId, reason))
  })
})

describe('Order.complete', () => {
  it('turns a draft into a completed order', () => {
    const result = order().when((o) => o.complete()).thenEmits([completed])
    expect(result.status).toBe('completed')
  })

  it('does nothing to a completed order and says so with OrderNotDraftError', () => {
    const result = order([placed, completed])
      .when((o) => o.complete())
      .thenThrows(new OrderNotDraftError(orderId, 'completed'))
    expect(result.unpublishedEvents).toEqual([])
    expect(result.status).toBe('completed')
  })

  it('does nothing to an order that was never placed and says so with OrderNotDraftError', () => {
    const result = order([]).when((o) => o.complete()).thenThrows(new OrderNotDraftError(orderId, 'none'))
    expect(result.unpublishedEvents).toEqual([])
    expect(result.status).toBe('none')
  })
})

describe('order errors', () => {
  it.each<[string, EventStoreError]>([
    ['Order.NotDraftError', new OrderNotDraftError(orderId, 'completed')],
    ['Order.AlreadyPlacedError', new OrderAlreadyPlacedError(orderId)],
  ])('%s is a DomainError with that name, kept through a structured clone', (name, error) => {
    expect(error.name).toBe(name)
    expect(error).toBeInstanceOf(DomainError)
    const revived = reviveError(structuredClone(error.toJSON()))
    expect(revived).toBeInstanceOf(error.constructor)
    expect(revived.message).toBe(error.message)
  })

  it('OrderNotDraftError tells that nothing was changed', () => {
    expect(new OrderNotDraftError(orderId, 'none').message).toMatch(/no order o1.*nothing was changed/i)
    expect(new OrderNotDraftError(orderId, 'completed').message).toMatch(/completed.*changes nothing/i)
  })
})

/** A store with cart c1 holding 2 × chasen at 2400, 1 × furoshiki at 1500 and the WELCOME500 coupon. */
async function shopWithCart(): Promise<{ store: EventStore; repository: AggregateRepository }> {
  const store = await openTestStore()
  const repository = new AggregateRepository(store)
  await addItem(repository, { cartId: 'c1', itemId: 'chasen', quantity: 2, price: 2400 })
  await addItem(repository, { cartId: 'c1', itemId: 'furoshiki', quantity: 1, price: 1500 })
  await applyCoupon(repository, { cartId: 'c1', code: 'WELCOME500' })
  return { store, repository }
}

describe('the checkout command', () => {
  it('stores Cart.CheckedOut in Cart$<id> and Order.Placed in Order$<id>', async () => {
    const { store, repository } = await shopWithCart()
    const returned = await checkout(store, repository, { cartId: 'c1', orderId })
    expect(returned.status).toBe('draft')
    expect(shape(await store.read.stream('Cart$c1').toArray()).at(-1)).toEqual({
      type: 'Cart.CheckedOut',
      data: { cartId: 'c1', orderId },
    })
    expect(shape(await store.read.stream('Order$o1').toArray())).toEqual(shape([placed]))
  })

  it('leaves a cart that reloads as checked out and an order that reloads as a draft', async () => {
    const { store, repository } = await shopWithCart()
    await checkout(store, repository, { cartId: 'c1', orderId })
    const cart = await repository.load(Cart, 'c1')
    const reloaded = await repository.load(Order, orderId)
    expect(cart.orderId).toBe(orderId)
    expect(reloaded.status).toBe('draft')
    expect(reloaded.total).toBe(5800)
    expect(reloaded.lines).toEqual(lines)
  })

  it('checks an empty cart out into nothing: EmptyCartError, no event stored', async () => {
    const store = await openTestStore()
    const repository = new AggregateRepository(store)
    const error = await failure(() => checkout(store, repository, { cartId: 'c1', orderId }))
    expect(error).toBeInstanceOf(EmptyCartError)
    expect(await store.read.count()).toBe(0)
    expect(await store.streamVersion('Order$o1')).toBe(-1)
  })

  it('checks a cart emptied by removals out into nothing either', async () => {
    const store = await openTestStore()
    const repository = new AggregateRepository(store)
    await addItem(repository, { cartId: 'c1', itemId: 'sencha', quantity: 1, price: 1200 })
    await removeItem(repository, { cartId: 'c1', itemId: 'sencha' })
    const error = await failure(() => checkout(store, repository, { cartId: 'c1', orderId }))
    expect(error).toBeInstanceOf(EmptyCartError)
    expect(await store.streamVersion('Cart$c1')).toBe(1)
    expect(await store.streamVersion('Order$o1')).toBe(-1)
  })

  it('rejects checking the same cart out twice with CartCheckedOutError, storing nothing more', async () => {
    const { store, repository } = await shopWithCart()
    await checkout(store, repository, { cartId: 'c1', orderId })
    const count = await store.read.count()
    const error = await failure(() => checkout(store, repository, { cartId: 'c1', orderId: 'o2' }))
    expect(error).toBeInstanceOf(CartCheckedOutError)
    expect(await store.read.count()).toBe(count)
    expect(await store.streamVersion('Order$o2')).toBe(-1)
  })

  it('does not check the cart out when the order id is already taken', async () => {
    const { store, repository } = await shopWithCart()
    await checkout(store, repository, { cartId: 'c1', orderId })
    await addItem(repository, { cartId: 'c2', itemId: 'notebook', quantity: 1, price: 800 })
    const error = await failure(() => checkout(store, repository, { cartId: 'c2', orderId }))
    expect(error).toBeInstanceOf(OrderAlreadyPlacedError)
    expect((await repository.load(Cart, 'c2')).orderId).toBeNull()
    expect(await store.streamVersion('Cart$c2')).toBe(0)
    expect(await store.streamVersion('Order$o1')).toBe(0)
  })

  it('stores neither event when a handler of Order.Placed fails: the two commit together or not at all', async () => {
    const { store, repository } = await shopWithCart()
    const cartVersion = await store.streamVersion('Cart$c1')
    const boom = new Error('handler failed')
    store.subscribe(() => {
      throw boom
    }, { to: [OrderPlaced] })
    const error = await failure(() => checkout(store, repository, { cartId: 'c1', orderId }))
    expect(error).toBe(boom)
    expect(await store.streamVersion('Cart$c1')).toBe(cartVersion)
    expect(await store.streamVersion('Order$o1')).toBe(-1)
    expect((await repository.load(Cart, 'c1')).orderId).toBeNull()
  })
})

describe('the completeOrder command', () => {
  it('stores Order.Completed, and the order reloads as completed', async () => {
    const { store, repository } = await shopWithCart()
    await checkout(store, repository, { cartId: 'c1', orderId })
    await completeOrder(repository, orderId)
    expect(shape(await store.read.stream('Order$o1').toArray())).toEqual(shape([placed, completed]))
    expect((await repository.load(Order, orderId)).status).toBe('completed')
  })

  it('rejects completing a completed order with OrderNotDraftError and stores nothing', async () => {
    const { store, repository } = await shopWithCart()
    await checkout(store, repository, { cartId: 'c1', orderId })
    await completeOrder(repository, orderId)
    const error = await failure(() => completeOrder(repository, orderId))
    expect(error).toBeInstanceOf(OrderNotDraftError)
    expect(error).toMatchObject({ orderId, status: 'completed' })
    expect(await store.streamVersion('Order$o1')).toBe(1)
  })

  it('rejects completing an unknown order with OrderNotDraftError and stores nothing', async () => {
    const store = await openTestStore()
    const repository = new AggregateRepository(store)
    const error = await failure(() => completeOrder(repository, 'nope'))
    expect(error).toBeInstanceOf(OrderNotDraftError)
    expect(error).toMatchObject({ orderId: 'nope', status: 'none' })
    expect(await store.read.count()).toBe(0)
  })
})
