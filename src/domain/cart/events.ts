import { defineEvent, type EventOf } from '../../eventstore/events'

// Prices and discounts are whole yen.
export const ItemAdded = defineEvent<{ cartId: string; itemId: string; quantity: number; price: number }, 'Cart.ItemAdded'>('Cart.ItemAdded')
export const ItemQuantityUpdated = defineEvent<{ cartId: string; itemId: string; quantity: number }, 'Cart.ItemQuantityUpdated'>(
  'Cart.ItemQuantityUpdated',
)
export const ItemRemoved = defineEvent<{ cartId: string; itemId: string }, 'Cart.ItemRemoved'>('Cart.ItemRemoved')
export const CouponApplied = defineEvent<{ cartId: string; code: string; discount: number }, 'Cart.CouponApplied'>('Cart.CouponApplied')
export const CheckedOut = defineEvent<{ cartId: string; orderId: string }, 'Cart.CheckedOut'>('Cart.CheckedOut')

export type CartEvent =
  | EventOf<typeof ItemAdded>
  | EventOf<typeof ItemQuantityUpdated>
  | EventOf<typeof ItemRemoved>
  | EventOf<typeof CouponApplied>
  | EventOf<typeof CheckedOut>

export const cartEventTypes = [ItemAdded, ItemQuantityUpdated, ItemRemoved, CouponApplied, CheckedOut].map((e) => e.type)
