// Which cart the screen shows: the one the shopper's stream names. A sync projection follows this
// tab's Shopper.CartStarted once committed; `follow` is also called when another tab committed.
import type { AggregateRepository, EventStore } from '../eventstore'
import { CartStarted, currentCartOf } from '../domain/shopper'
import { refreshCart, showCart, type CartViewStore } from './cartView'

export interface CurrentCartFollower {
  /** Shows the current cart (or brings the shown one up to date); resolves once it is shown. */
  follow(): Promise<void>
  stop(): void
}

export function followCurrentCart(store: EventStore, repository: AggregateRepository, cartView: CartViewStore, shopperId: string): CurrentCartFollower {
  // One at a time, in order: an older read finishing last must not bring back an older cart.
  let queue: Promise<void> = Promise.resolve()
  const follow = (): Promise<void> => {
    const next = queue.then(async () => {
      const cartId = await currentCartOf(repository, shopperId)
      if (cartId !== null && cartId !== cartView.getState().cartId) await showCart(repository, cartView, cartId)
      else await refreshCart(repository, cartView)
    })
    queue = next.catch(() => undefined)
    return next
  }
  // Once committed: the checkout that started a cart may still abort.
  const off = store.subscribe(
    (event, context) => {
      if (!CartStarted.is(event) || event.data.shopperId !== shopperId) return
      if (!context.inTransaction) return follow()
      context.afterCommit(() => void follow())
    },
    { to: [CartStarted] },
  )
  return { follow, stop: off }
}
