import { AggregateRoot } from '../../eventstore/aggregates'
import { CurrentCartChangedError, InvalidCartIdError } from './errors'
import { CartStarted } from './events'

export interface ShopperState {
  /** The cart the shopper fills now; null before the first one is started. */
  cartId: string | null
}

/**
 * Whoever shops on this device (or, once signed in, on all of an account's devices): which cart is
 * current is this aggregate's stream, `Shopper$<id>`, so it commits with the carts it concerns.
 */
export class Shopper extends AggregateRoot<ShopperState> {
  static readonly aggregateName = 'Shopper'
  static readonly snapshotEvery = 100
  static readonly snapshotVersion = 1

  constructor(id: string) {
    super(id, { cartId: null })
    this.on(CartStarted, (_state, { data }) => ({ cartId: data.cartId }))
  }

  get cartId(): string | null {
    return this.state.cartId
  }

  /**
   * Makes `cartId` the current cart in place of `previousCartId`, which must be the current one
   * (null for the first): of two starts made from the same state, the second is refused.
   */
  startCart(cartId: string, previousCartId: string | null): void {
    if (typeof cartId !== 'string' || cartId.trim().length === 0 || cartId === this.state.cartId) throw new InvalidCartIdError(cartId)
    if (previousCartId !== this.state.cartId) throw new CurrentCartChangedError(this.id, previousCartId, this.state.cartId)
    this.apply(CartStarted({ shopperId: this.id, cartId, previousCartId }))
  }
}
