import { describe, expect, it } from 'vitest'
import { AggregateRepository, SyncDispatcher, defaultComposedDispatcher } from '../../src/eventstore'
import { CartStarted, addItem, checkout, openCurrentCart } from '../../src/domain'
import { createCartView, followCurrentCart, legacyCartId, SESSION, shopReadModels } from '../../src/projections'
import { failure } from '../support/failure'
import { openTestStore, uniqueName } from '../support/stores'

const shopperId = 'local'

async function tab(name = uniqueName()) {
  const store = await openTestStore({ name, readModels: shopReadModels, dispatcher: defaultComposedDispatcher(new SyncDispatcher()) })
  const repository = new AggregateRepository(store)
  const view = createCartView()
  const follower = followCurrentCart(store, repository, view, shopperId)
  return { name, store, repository, view, follower }
}

describe('followCurrentCart', () => {
  it('shows the cart the Shopper stream names', async () => {
    const { store, repository, view, follower } = await tab()
    await openCurrentCart(store, repository, { shopperId, newCartId: 'c1' })
    await follower.follow()
    expect(view.getState().cartId).toBe('c1')
  })

  it('moves to the next cart once this tab’s checkout commits', async () => {
    const { store, repository, view, follower } = await tab()
    await openCurrentCart(store, repository, { shopperId, newCartId: 'c1' })
    await addItem(repository, { cartId: 'c1', itemId: 'sencha', quantity: 2, price: 1200 })
    await follower.follow()
    expect(view.getState().itemCount).toBe(2)
    await checkout(store, repository, { cartId: 'c1', orderId: 'o1', nextCartId: 'c2' })
    await expect.poll(() => view.getState().cartId).toBe('c2')
    expect(view.getState().itemCount).toBe(0)
  })

  it('stays on the cart when the checkout rolls back', async () => {
    const { store, repository, view, follower } = await tab()
    await openCurrentCart(store, repository, { shopperId, newCartId: 'c1' })
    await addItem(repository, { cartId: 'c1', itemId: 'sencha', quantity: 1, price: 1200 })
    await follower.follow()
    store.subscribe(() => {
      throw new Error('rolled back')
    }, { to: [CartStarted] })
    await failure(() => checkout(store, repository, { cartId: 'c1', orderId: 'o1', nextCartId: 'c2' }))
    await follower.follow()
    expect(view.getState().cartId).toBe('c1')
    expect(view.getState().itemCount).toBe(1)
  })

  it('follows, when asked, what another tab committed: a new current cart, or a change to the shown one', async () => {
    const first = await tab()
    const second = await tab(first.name)
    await openCurrentCart(first.store, first.repository, { shopperId, newCartId: 'c1' })
    await second.follower.follow()
    await addItem(first.repository, { cartId: 'c1', itemId: 'sencha', quantity: 3, price: 1200 })
    await second.follower.follow()
    expect(second.view.getState()).toMatchObject({ cartId: 'c1', itemCount: 3 })
    await checkout(first.store, first.repository, { cartId: 'c1', orderId: 'o1', nextCartId: 'c2' })
    await second.follower.follow()
    expect(second.view.getState()).toMatchObject({ cartId: 'c2', itemCount: 0 })
  })

  it('stops following once stopped', async () => {
    const { store, repository, view, follower } = await tab()
    await openCurrentCart(store, repository, { shopperId, newCartId: 'c1' })
    await follower.follow()
    follower.stop()
    await addItem(repository, { cartId: 'c1', itemId: 'sencha', quantity: 1, price: 1200 })
    await checkout(store, repository, { cartId: 'c1', orderId: 'o1', nextCartId: 'c2' })
    expect(view.getState().cartId).toBe('c1')
  })
})

describe('legacyCartId', () => {
  it('reads the cart an older version of the shop named in its session table, or null', async () => {
    const { store } = await tab()
    expect(await legacyCartId(store)).toBeNull()
    await store.db.table(SESSION).put({ key: 'cart', value: 'old' })
    expect(await legacyCartId(store)).toBe('old')
  })
})
