import { describe, expect, it } from 'vitest'
import { AggregateRepository, EventStoreError, reviveError, type EventStore, type NewEvent } from '../../src/eventstore'
import { given } from '../../src/eventstore/testing'
import {
  CartStarted,
  CurrentCartChangedError,
  DomainError,
  InvalidCartIdError,
  LOCAL_SHOPPER,
  Shopper,
  addItem,
  checkout,
  currentCartOf,
  openCurrentCart,
} from '../../src/domain'
import { failure } from '../support/failure'
import { openTestStore, uniqueName } from '../support/stores'

const shopperId = 'local'
const started = (cartId: string, previousCartId: string | null) => CartStarted({ shopperId, cartId, previousCartId })
const shopper = (events: readonly NewEvent[] = []) => given(Shopper, events, shopperId)
const shape = (events: ReadonlyArray<{ type: string; data: unknown }>) => events.map(({ type, data }) => ({ type, data }))

describe('Shopper.startCart', () => {
  it('starts the shopper’s first cart, following none', () => {
    const result = shopper().when((s) => s.startCart('c1', null)).thenEmits([started('c1', null)])
    expect(result.cartId).toBe('c1')
  })

  it('starts a cart in place of the current one', () => {
    const result = shopper([started('c1', null)])
      .when((s) => s.startCart('c2', 'c1'))
      .thenEmits([started('c2', 'c1')])
    expect(result.cartId).toBe('c2')
  })

  it('refuses a start made from an outdated view (another tab started one meanwhile) with CurrentCartChangedError', () => {
    shopper([started('c1', null)])
      .when((s) => s.startCart('c2', null))
      .thenThrows(new CurrentCartChangedError(shopperId, null, 'c1'))
    const result = shopper([started('c1', null), started('c2', 'c1')])
      .when((s) => s.startCart('c3', 'c1'))
      .thenThrows(CurrentCartChangedError)
    expect(result.cartId).toBe('c2')
  })

  it.each([[''], ['  '], [undefined], [42]])('refuses %j as a cart id with InvalidCartIdError', (cartId) => {
    shopper().when((s) => s.startCart(cartId as unknown as string, null)).thenThrows(InvalidCartIdError)
  })

  it('refuses to start the current cart again', () => {
    shopper([started('c1', null)])
      .when((s) => s.startCart('c1', 'c1'))
      .thenThrows(InvalidCartIdError)
  })

  it.each<[string, EventStoreError]>([
    ['Shopper.CurrentCartChangedError', new CurrentCartChangedError(shopperId, 'c1', 'c2')],
    ['Shopper.InvalidCartIdError', new InvalidCartIdError('')],
  ])('%s is a DomainError with that name, kept through a structured clone', (name, error) => {
    expect(error.name).toBe(name)
    expect(error).toBeInstanceOf(DomainError)
    const revived = reviveError(structuredClone(error.toJSON()))
    expect(revived).toBeInstanceOf(error.constructor)
    expect(revived.message).toBe(error.message)
  })
})

const shopperEvents = async (store: EventStore) => shape(await store.read.stream(`Shopper$${LOCAL_SHOPPER}`).toArray())

async function freshShop() {
  const store = await openTestStore()
  return { store, repository: new AggregateRepository(store) }
}

/** c1 holds one item and has been checked out into order o1 (as the shop before the Shopper stream left it). */
async function checkedOutCart(repository: AggregateRepository, store: EventStore) {
  await addItem(repository, { cartId: 'c1', itemId: 'sencha', quantity: 1, price: 1200 })
  await checkout(store, repository, { cartId: 'c1', orderId: 'o1' })
}

describe('the openCurrentCart command', () => {
  it('starts the first cart of a fresh shopper, and returns that same cart after', async () => {
    const { store, repository } = await freshShop()
    expect(await openCurrentCart(store, repository, { shopperId, newCartId: 'c1' })).toBe('c1')
    expect(await openCurrentCart(store, repository, { shopperId, newCartId: 'c2' })).toBe('c1')
    expect(await shopperEvents(store)).toEqual(shape([started('c1', null)]))
    expect(await currentCartOf(repository, shopperId)).toBe('c1')
  })

  it('starts one cart for three tabs opening at once: the others follow it', async () => {
    const name = uniqueName()
    const tabs = await Promise.all([1, 2, 3].map(() => openTestStore({ name })))
    const ids = await Promise.all(
      tabs.map((store, i) => openCurrentCart(store, new AggregateRepository(store), { shopperId, newCartId: `c${i + 1}` })),
    )
    expect(new Set(ids).size).toBe(1)
    const events = await shopperEvents(tabs[0]!)
    expect(events).toHaveLength(1)
    expect(events[0]!.data).toMatchObject({ cartId: ids[0], previousCartId: null })
  })

  it('starts a new cart in place of a current one that was checked out (a device the old two-step checkout left so)', async () => {
    const { store, repository } = await freshShop()
    await checkedOutCart(repository, store)
    // The old shop named c1 in its `session` table and died before naming the next cart.
    expect(await openCurrentCart(store, repository, { shopperId, newCartId: 'c2', adoptCartId: 'c1' })).toBe('c2')
    expect(await shopperEvents(store)).toEqual(shape([started('c1', null), started('c2', 'c1')]))
  })

  it('keeps the cart an older version of the shop named current, when the stream is empty', async () => {
    const { store, repository } = await freshShop()
    await addItem(repository, { cartId: 'old', itemId: 'sencha', quantity: 1, price: 1200 })
    expect(await openCurrentCart(store, repository, { shopperId, newCartId: 'c2', adoptCartId: 'old' })).toBe('old')
    expect(await shopperEvents(store)).toEqual(shape([started('old', null)]))
  })

  it('ignores an older version’s cart once the stream names one', async () => {
    const { store, repository } = await freshShop()
    await openCurrentCart(store, repository, { shopperId, newCartId: 'c1' })
    expect(await openCurrentCart(store, repository, { shopperId, newCartId: 'c2', adoptCartId: 'old' })).toBe('c1')
    expect(await shopperEvents(store)).toEqual(shape([started('c1', null)]))
  })
})

describe('the checkout command and the current cart', () => {
  it('starts the next cart in the same commit as the checkout, when the cart was the current one', async () => {
    const { store, repository } = await freshShop()
    await openCurrentCart(store, repository, { shopperId, newCartId: 'c1' })
    const commits: string[][] = []
    store.onCommit((events) => commits.push(events.map((e) => e.type)))
    await addItem(repository, { cartId: 'c1', itemId: 'sencha', quantity: 1, price: 1200 })
    await checkout(store, repository, { cartId: 'c1', orderId: 'o1', nextCartId: 'c2' })
    expect(commits.at(-1)).toEqual(['Cart.CheckedOut', 'Order.Placed', 'Shopper.CartStarted'])
    expect(await currentCartOf(repository, shopperId)).toBe('c2')
    expect(await shopperEvents(store)).toEqual(shape([started('c1', null), started('c2', 'c1')]))
  })

  it('leaves the current cart alone when the cart checked out is not it', async () => {
    const { store, repository } = await freshShop()
    await openCurrentCart(store, repository, { shopperId, newCartId: 'c1' })
    await addItem(repository, { cartId: 'other', itemId: 'sencha', quantity: 1, price: 1200 })
    await checkout(store, repository, { cartId: 'other', orderId: 'o1', nextCartId: 'c2' })
    expect(await currentCartOf(repository, shopperId)).toBe('c1')
  })

  it('stores none of the three when the transaction fails at its very end: no crash leaves a checked-out cart current', async () => {
    const { store, repository } = await freshShop()
    await openCurrentCart(store, repository, { shopperId, newCartId: 'c1' })
    await addItem(repository, { cartId: 'c1', itemId: 'sencha', quantity: 1, price: 1200 })
    const crash = new Error('the tab died')
    store.subscribe(() => {
      throw crash
    }, { to: [CartStarted] })
    expect(await failure(() => checkout(store, repository, { cartId: 'c1', orderId: 'o1', nextCartId: 'c2' }))).toBe(crash)
    expect(await store.streamVersion('Cart$c1')).toBe(0)
    expect(await store.streamVersion('Order$o1')).toBe(-1)
    expect(await currentCartOf(repository, shopperId)).toBe('c1')
  })
})
