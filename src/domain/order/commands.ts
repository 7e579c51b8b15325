import { WrongExpectedVersionError, type AggregateRepository, type EventStore } from '../../eventstore'
import { Cart } from '../cart/Cart'
import { COMMAND_RETRIES } from '../cart/commands'
import { Order } from './Order'

export interface Checkout {
  cartId: string
  orderId: string
}

/**
 * Turns the cart into a draft order: Cart.CheckedOut and Order.Placed commit together or not at
 * all. A race with another tab re-runs the whole checkout on fresh state.
 */
export async function checkout(store: EventStore, repository: AggregateRepository, c: Checkout): Promise<Order> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await store.transaction(async (tx) => {
        const repo = repository.using(tx)
        const cart = await repo.load(Cart, c.cartId)
        cart.checkout(c.orderId)
        const order = await repo.load(Order, c.orderId)
        order.place(c.cartId, cart.lines, cart.subtotal, cart.discount)
        await repo.store(cart)
        await repo.store(order)
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
