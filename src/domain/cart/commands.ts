import type { AggregateRepository } from '../../eventstore/aggregates'
import { Cart } from './Cart'

/** A command that loses a race with another tab is re-run on fresh state this many times. */
export const COMMAND_RETRIES = 3

export interface AddItem {
  cartId: string
  itemId: string
  quantity: number
  price: number
}
export interface UpdateItemQuantity {
  cartId: string
  itemId: string
  quantity: number
}
export interface RemoveItem {
  cartId: string
  itemId: string
}
export interface ApplyCoupon {
  cartId: string
  code: string
}

/** Runs a change on the cart (re-run on fresh state if another tab got there first); resolves with the stored cart. */
const onCart = (repository: AggregateRepository, cartId: string, change: (cart: Cart) => void): Promise<Cart> =>
  repository.withAggregate(
    Cart,
    cartId,
    (cart) => {
      change(cart)
      return cart
    },
    { retries: COMMAND_RETRIES },
  )

export const addItem = (repository: AggregateRepository, c: AddItem) =>
  onCart(repository, c.cartId, (cart) => cart.addItem(c.itemId, c.quantity, c.price))

export const updateItemQuantity = (repository: AggregateRepository, c: UpdateItemQuantity) =>
  onCart(repository, c.cartId, (cart) => cart.updateItemQuantity(c.itemId, c.quantity))

export const removeItem = (repository: AggregateRepository, c: RemoveItem) =>
  onCart(repository, c.cartId, (cart) => cart.removeItem(c.itemId))

export const applyCoupon = (repository: AggregateRepository, c: ApplyCoupon) =>
  onCart(repository, c.cartId, (cart) => cart.applyCoupon(c.code))
