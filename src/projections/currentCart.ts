// Which cart the screen shows: the one the shopper's stream names, followed through every
// Shopper.CartStarted that reaches the log (this tab's once committed, an import, another tab's, sync's).
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
  // Committed events only (the checkout that started a cart may still abort), and a rewrite of the
  // log (sync's rebase) may have changed which cart is current.
  const follower = store.follow(
    (events) => {
      if (events.some((event) => event.data.shopperId === shopperId)) void follow().catch(() => undefined)
    },
    { to: [CartStarted], onRewritten: () => void follow().catch(() => undefined) },
  )
  return { follow, stop: () => follower.stop() }
}
