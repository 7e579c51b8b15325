import { describe, expect, it } from 'vitest'
import { AggregateRepository, WrongExpectedVersionError, type EventStore } from '../../src/eventstore'
import { Cart, Order, OrderCompleted, addItem, applyCoupon, checkout, completeOrder } from '../../src/domain'
import { ORDERS, orderListEvents, orderListTables, projectOrder, subscribeOrderList, type OrderRow } from '../../src/projections/orderList'
import { failure } from '../support/failure'
import { openTestStore, uniqueName } from '../support/stores'

const readModels = { version: 1, stores: orderListTables }
const placedAt = new Date('2025-04-01T10:00:00Z')
const completedAt = new Date('2025-04-01T10:30:00Z')

/** A store with the orders table, a clock the test sets, and cart c1 (2 × bento at 3200, 1 × furoshiki at 1500, WELCOME500). */
async function shop() {
  let now = placedAt
  const store = await openTestStore({ readModels, clock: () => now })
  const repository = new AggregateRepository(store)
  await addItem(repository, { cartId: 'c1', itemId: 'bento', quantity: 2, price: 3200 })
  await addItem(repository, { cartId: 'c1', itemId: 'furoshiki', quantity: 1, price: 1500 })
  await applyCoupon(repository, { cartId: 'c1', code: 'WELCOME500' })
  const orders = store.db.table<OrderRow, string>(ORDERS)
  const setTime = (time: Date) => {
    now = time
  }
  return { store, repository, orders, setTime }
}

/** The orders projection with a bug that makes it throw on Order.Completed. */
function subscribeFailingOrderList(store: EventStore, error: Error): () => void {
  return store.subscribe(async (event, { store: scoped }) => {
    if (OrderCompleted.is(event)) throw error
    await projectOrder(scoped, event)
  }, { to: orderListEvents })
}

const completedEvents = (store: EventStore, orderId = 'o1') => store.read.stream(`Order$${orderId}`).ofType([OrderCompleted]).count()

describe('the orders read model (subscribeOrderList)', () => {
  it('adds a draft row when an order is placed', async () => {
    const { store, repository, orders } = await shop()
    subscribeOrderList(store)
    await checkout(store, repository, { cartId: 'c1', orderId: 'o1' })
    expect(await orders.get('o1')).toEqual<OrderRow>({
      orderId: 'o1',
      cartId: 'c1',
      status: 'draft',
      total: 7400,
      itemCount: 3,
      placedAt,
      completedAt: null,
    })
  })

  it('marks the row completed, with the time of completion, when the order is completed', async () => {
    const { store, repository, orders, setTime } = await shop()
    subscribeOrderList(store)
    await checkout(store, repository, { cartId: 'c1', orderId: 'o1' })
    setTime(completedAt)
    await completeOrder(repository, 'o1')
    expect(await orders.get('o1')).toMatchObject({ status: 'completed', completedAt, placedAt, total: 7400 })
  })

  it('keeps one row per order', async () => {
    const { store, repository, orders } = await shop()
    subscribeOrderList(store)
    await addItem(repository, { cartId: 'c2', itemId: 'notebook', quantity: 4, price: 800 })
    await checkout(store, repository, { cartId: 'c1', orderId: 'o1' })
    await checkout(store, repository, { cartId: 'c2', orderId: 'o2' })
    await completeOrder(repository, 'o2')
    const rows = await orders.orderBy('orderId').toArray()
    expect(rows.map((r) => [r.orderId, r.cartId, r.status, r.total, r.itemCount])).toEqual([
      ['o1', 'c1', 'draft', 7400, 3],
      ['o2', 'c2', 'completed', 3200, 4],
    ])
  })

  it('stops updating the table once unsubscribed', async () => {
    const { store, repository, orders } = await shop()
    const off = subscribeOrderList(store)
    await checkout(store, repository, { cartId: 'c1', orderId: 'o1' })
    off()
    await completeOrder(repository, 'o1')
    expect((await orders.get('o1'))?.status).toBe('draft')
  })
})

describe('completing an order (the CQRS scenarios)', () => {
  it('stores the command’s state, its Order.Completed event and the read model’s completed row', async () => {
    const { store, repository, orders } = await shop()
    subscribeOrderList(store)
    await checkout(store, repository, { cartId: 'c1', orderId: 'o1' })
    await completeOrder(repository, 'o1')
    expect((await repository.load(Order, 'o1')).status).toBe('completed')
    expect(await completedEvents(store)).toBe(1)
    expect((await orders.get('o1'))?.status).toBe('completed')
  })

  it('stores the order and its event but not the read model when the projection throws, and the caller gets the error', async () => {
    const { store, repository, orders } = await shop()
    const boom = new Error('orders projection failed')
    subscribeFailingOrderList(store, boom)
    await checkout(store, repository, { cartId: 'c1', orderId: 'o1' })
    const error = await failure(() => completeOrder(repository, 'o1'))
    expect(error).toBe(boom)
    expect((await repository.load(Order, 'o1')).status).toBe('completed')
    expect(await completedEvents(store)).toBe(1)
    expect((await orders.get('o1'))?.status).toBe('draft')
  })

  it.each<[string, (store: EventStore, error: Error) => void]>([
    ['the orders projection throws', (store, error) => void subscribeFailingOrderList(store, error)],
    [
      'a handler after the orders projection throws',
      (store, error) => {
        subscribeOrderList(store)
        store.subscribe(() => {
          throw error
        }, { to: [OrderCompleted] })
      },
    ],
  ])('stores nothing at all inside store.transaction when %s', async (_, subscribe) => {
    const { store, repository, orders } = await shop()
    const boom = new Error('read model failed')
    subscribe(store, boom)
    await checkout(store, repository, { cartId: 'c1', orderId: 'o1' })
    expect((await orders.get('o1'))?.status).toBe('draft')
    const error = await failure(() => store.transaction((tx) => completeOrder(repository.using(tx), 'o1')))
    expect(error).toBe(boom)
    expect(await completedEvents(store)).toBe(0)
    expect(await store.streamVersion('Order$o1')).toBe(0)
    expect((await orders.get('o1'))?.status).toBe('draft')
    expect((await repository.load(Order, 'o1')).status).toBe('draft')
  })
})

/**
 * Two tabs: two connections to one database, each with its own repository. Each connection's
 * first write waits until both have loaded the cart, so both start from the same version and
 * one of them is sure to lose the race.
 */
async function twoTabsRacing() {
  const name = uniqueName('kiroku-orders-race')
  const stores = [await openTestStore({ name, readModels }), await openTestStore({ name, readModels })]
  let loads = 0
  let bothLoaded!: () => void
  const barrier = new Promise<void>((resolve) => (bothLoaded = resolve))
  const onLoad = () => {
    if (++loads === 2) bothLoaded()
  }
  const holdWritesUntilBothLoaded = (store: EventStore): EventStore =>
    new Proxy(store, {
      get(target, property) {
        if (property === 'publish') {
          return async (...args: Parameters<EventStore['publish']>) => {
            await barrier
            return target.publish(...args)
          }
        }
        const value: unknown = Reflect.get(target, property, target)
        return typeof value === 'function' ? value.bind(target) : value
      },
    })
  const repositories = stores.map((store) => new AggregateRepository(holdWritesUntilBothLoaded(store), { onLoad }))
  return { stores, repositories: repositories as [AggregateRepository, AggregateRepository], loads: () => loads }
}

describe('two tabs changing one cart at once', () => {
  it('both add their item: the loser of the race retries on fresh state, and the cart has both lines', async () => {
    const { stores, repositories, loads } = await twoTabsRacing()
    const [a, b] = repositories
    await Promise.all([
      addItem(a, { cartId: 'c1', itemId: 'bento', quantity: 1, price: 3200 }),
      addItem(b, { cartId: 'c1', itemId: 'furoshiki', quantity: 2, price: 1500 }),
    ])
    expect(loads()).toBe(3)
    const cart = await new AggregateRepository(stores[0]!).load(Cart, 'c1')
    expect([...cart.lines].sort((x, y) => x.itemId.localeCompare(y.itemId))).toEqual([
      { itemId: 'bento', quantity: 1, price: 3200 },
      { itemId: 'furoshiki', quantity: 2, price: 1500 },
    ])
    expect(await stores[1]!.streamVersion('Cart$c1')).toBe(1)
  })

  it('without retries, the loser fails with WrongExpectedVersionError and writes nothing', async () => {
    const { stores, repositories } = await twoTabsRacing()
    const results = await Promise.allSettled(
      repositories.map((repository, i) => repository.withAggregate(Cart, 'c1', (cart) => cart.addItem(i === 0 ? 'sencha' : 'hojicha', 1, i === 0 ? 1200 : 900))),
    )
    const rejected = results.filter((r) => r.status === 'rejected')
    expect(rejected).toHaveLength(1)
    expect((rejected[0] as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedVersionError)
    expect(await stores[0]!.streamVersion('Cart$c1')).toBe(0)
  })
})
