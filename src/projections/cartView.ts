// The cart the screen shows: a zustand vanilla store kept by a sync projection, so the screen
// changes in the same frame as the command that changed the cart.
import { createStore, type StoreApi } from 'zustand/vanilla'
import { streamOf, type AggregateRepository, type EventStore, type RecordedEvent } from '../eventstore'
import { Cart, cartEventTypes, discountOf, emptyCart, evolveCart, subtotalOf, totalOf, type CartChange, type CartLine, type CartState } from '../domain/cart'

export interface CartView {
  /** null until a cart is shown. */
  cartId: string | null
  /** The cart stream's version this view includes. */
  version: number
  lines: readonly CartLine[]
  coupon: CartState['coupon']
  /** Set once the cart was checked out. */
  orderId: string | null
  subtotal: number
  discount: number
  total: number
  itemCount: number
}

export type CartViewStore = StoreApi<CartView>

const view = (cartId: string | null, state: CartState, version: number): CartView => ({
  cartId,
  version,
  lines: state.lines,
  coupon: state.coupon,
  orderId: state.orderId,
  subtotal: subtotalOf(state),
  discount: discountOf(state),
  total: totalOf(state),
  itemCount: state.lines.reduce((n, l) => n + l.quantity, 0),
})

const stateOf = (v: CartView): CartState => ({ lines: [...v.lines], coupon: v.coupon, orderId: v.orderId })

export const createCartView = (): CartViewStore => createStore<CartView>(() => view(null, emptyCart(), -1))

/** Shows a cart from the repository: its latest snapshot and the events after it, not the whole log. */
export async function showCart(repository: AggregateRepository, cartView: CartViewStore, cartId: string): Promise<void> {
  const cart = await repository.load(Cart, cartId)
  cartView.setState(view(cartId, cart.snapshotState() as CartState, cart.version))
}

/** Shows a cart as a command left it (its state and version), if the view has not got that far: no read. */
export function showCartState(cartView: CartViewStore, cart: Cart): void {
  const shown = cartView.getState()
  if (shown.cartId === cart.id && shown.version < cart.version) cartView.setState(view(cart.id, cart.snapshotState() as CartState, cart.version))
}

/** Brings the view up to date when another tab changed the shown cart. */
export async function refreshCart(repository: AggregateRepository, cartView: CartViewStore): Promise<void> {
  const { cartId, version } = cartView.getState()
  if (cartId === null) return
  const cart = await repository.load(Cart, cartId)
  if (cartView.getState().cartId === cartId && cart.version > version) {
    cartView.setState(view(cartId, cart.snapshotState() as CartState, cart.version))
  }
}

/**
 * The sync projection: each cart event of the shown cart is applied as it reaches the log, whatever
 * wrote it (`store.follow`): this tab's commands once committed (an aborted transaction never
 * shows), an imported backup, another tab, sync's pulls. An event is applied only at the position
 * after the view's version, so nothing shows twice; a gap (an event this view never saw) reloads the
 * cart instead, and so does a rewrite of the log (sync's rebase).
 */
export function projectCartView(store: EventStore, repository: AggregateRepository, cartView: CartViewStore): () => void {
  const apply = async (event: RecordedEvent) => {
    const shown = cartView.getState()
    const cartId = (event.data as { cartId?: string }).cartId
    if (!shown.cartId || cartId !== shown.cartId) return
    const position = await store.positionInStream(event.eventId, streamOf(Cart, cartId)).catch(() => -1)
    const now = cartView.getState()
    if (now.cartId !== cartId || position <= now.version) return
    if (position === now.version + 1) cartView.setState(view(cartId, evolveCart(stateOf(now), event as unknown as CartChange), position))
    else await refreshCart(repository, cartView)
  }
  // One at a time, in the log's order: each apply reads the event's position first.
  let queue: Promise<void> = Promise.resolve()
  const later = (work: () => Promise<void>) => {
    queue = queue.then(work).catch(() => undefined)
  }
  const follower = store.follow((events) => events.forEach((event) => later(() => apply(event))), {
    to: cartEventTypes,
    onRewritten: () =>
      later(async () => {
        const { cartId } = cartView.getState()
        if (cartId !== null) await showCart(repository, cartView, cartId)
      }),
  })
  return () => follower.stop()
}
