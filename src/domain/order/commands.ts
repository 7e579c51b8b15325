import type { AggregateRepository } from '../../eventstore/aggregates'
import type { EventStore } from '../../eventstore/client'
import { WrongExpectedVersionError } from '../../eventstore/errors'
import { Cart } from '../cart/Cart'
import { COMMAND_RETRIES } from '../cart/commands'
import { LOCAL_SHOPPER } from '../shopper/commands'
import { Shopper } from '../shopper/Shopper'
import { Order } from './Order'

export interface Checkout {
  cartId: string
  orderId: string
  /** Whose cart it is; default: this device's shopper. */
  shopperId?: string
  /** The cart that becomes current in its place; default: a new id. */
  nextCartId?: string
}

/**
 * Turns the cart into a draft order and, when it was the shopper's current cart, starts the next
 * one: Cart.CheckedOut, Order.Placed and Shopper.CartStarted commit together or not at all, so no
 * crash leaves a checked-out cart current, and another tab hears of all three at once. A race
 * with another tab re-runs the whole checkout on fresh state.
 */
export async function checkout(store: EventStore, repository: AggregateRepository, c: Checkout): Promise<Order> {
  const nextCartId = c.nextCartId ?? crypto.randomUUID()
  for (let attempt = 0; ; attempt++) {
    try {
      return await store.transaction(async (tx) => {
        const repo = repository.using(tx)
        const cart = await repo.load(Cart, c.cartId)
        cart.checkout(c.orderId)
        const order = await repo.load(Order, c.orderId)
        order.place(c.cartId, cart.lines, cart.subtotal, cart.discount)
        const shopper = await repo.load(Shopper, c.shopperId ?? LOCAL_SHOPPER)
        if (shopper.cartId === c.cartId) shopper.startCart(nextCartId, c.cartId)
        await repo.store(cart)
        await repo.store(order)
        await repo.store(shopper)
        return order
      })
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError) || attempt >= COMMAND_RETRIES) throw error
    }
  }
}

/** draft → completed; OrderNotDraftError for anything else. */
export const completeOrder = (repository: AggregateRepository, orderId: string) =>
  repository.withAggregate(Order, orderId, (order) => order.complete(), { retries: COMMAND_RETRIES })
