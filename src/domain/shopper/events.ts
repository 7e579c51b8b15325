import { defineEvent, type EventOf } from '../../eventstore/events'

/**
 * The shopper's current cart is now `cartId`. It names the cart it follows (null for the
 * shopper's first), so the stream says which cart is current without any other table, and a start
 * made on an outdated view of it (another tab, or another device once synced) can be told apart.
 */
export const CartStarted = defineEvent<{ shopperId: string; cartId: string; previousCartId: string | null }, 'Shopper.CartStarted'>(
  'Shopper.CartStarted',
)

export type ShopperEvent = EventOf<typeof CartStarted>

export const shopperEventTypes = [CartStarted.type]
