import { registerError } from '../../eventstore/errors'
import { DomainError } from '../DomainError'
import { MAX_QUANTITY } from './limits'

export class InvalidQuantityError extends DomainError {
  override name = 'Cart.InvalidQuantityError'
  constructor(readonly quantity: unknown) {
    super(`A quantity must be a whole number from 1 to ${MAX_QUANTITY}; ${String(quantity)} is not. The cart is unchanged.`, { quantity })
  }
}

export class InvalidPriceError extends DomainError {
  override name = 'Cart.InvalidPriceError'
  constructor(readonly price: unknown) {
    super(`A price must be a whole number of yen, 0 or more; ${String(price)} is not. The cart is unchanged.`, { price })
  }
}

export class InvalidItemError extends DomainError {
  override name = 'Cart.InvalidItemError'
  constructor(readonly itemId: unknown) {
    super(`${JSON.stringify(itemId) ?? String(itemId)} is not a product id. The cart is unchanged.`, { itemId })
  }
}

export class UnknownProductError extends DomainError {
  override name = 'Cart.UnknownProductError'
  constructor(readonly itemId: string) {
    super(`There is no product "${itemId}" in the catalog. The cart is unchanged.`, { itemId })
  }
}

export class PriceMismatchError extends DomainError {
  override name = 'Cart.PriceMismatchError'
  constructor(
    readonly itemId: string,
    readonly price: number,
    readonly catalogPrice: number,
  ) {
    super(`${itemId} costs ${catalogPrice} yen in the catalog, not ${price}. The cart is unchanged.`, { itemId, price, catalogPrice })
  }
}

export class CouponDiscountMismatchError extends DomainError {
  override name = 'Cart.CouponDiscountMismatchError'
  constructor(
    readonly code: string,
    readonly discount: unknown,
  ) {
    super(`The coupon "${code}" does not take ${String(discount)} yen off. The cart is unchanged.`, { code, discount })
  }
}

export class ItemNotInCartError extends DomainError {
  override name = 'Cart.ItemNotInCartError'
  constructor(readonly itemId: string) {
    super(`That item (${itemId}) is no longer in the cart.`, { itemId })
  }
}

export class UnknownCouponError extends DomainError {
  override name = 'Cart.UnknownCouponError'
  constructor(readonly code: string) {
    super(`There is no coupon "${code}". Check the code and try again; the cart is unchanged.`, { code })
  }
}

export class CouponAlreadyAppliedError extends DomainError {
  override name = 'Cart.CouponAlreadyAppliedError'
  constructor(readonly code: string) {
    super(`The coupon "${code}" is already applied to this cart.`, { code })
  }
}

export class CartCheckedOutError extends DomainError {
  override name = 'Cart.CheckedOutError'
  constructor(readonly cartId: string) {
    super('This cart has been checked out and can no longer change; nothing was changed. New items go into your next cart.', { cartId })
  }
}

export class EmptyCartError extends DomainError {
  override name = 'Cart.EmptyCartError'
  constructor(readonly cartId: string) {
    super('The cart is empty: add something before checking out.', { cartId })
  }
}

registerError('Cart.InvalidQuantityError', (f) => new InvalidQuantityError(f.quantity))
registerError('Cart.InvalidPriceError', (f) => new InvalidPriceError(f.price))
registerError('Cart.InvalidItemError', (f) => new InvalidItemError(f.itemId))
registerError('Cart.UnknownProductError', (f) => new UnknownProductError(String(f.itemId)))
registerError('Cart.PriceMismatchError', (f) => new PriceMismatchError(String(f.itemId), Number(f.price), Number(f.catalogPrice)))
registerError('Cart.CouponDiscountMismatchError', (f) => new CouponDiscountMismatchError(String(f.code), f.discount))
registerError('Cart.ItemNotInCartError', (f) => new ItemNotInCartError(String(f.itemId)))
registerError('Cart.UnknownCouponError', (f) => new UnknownCouponError(String(f.code)))
registerError('Cart.CouponAlreadyAppliedError', (f) => new CouponAlreadyAppliedError(String(f.code)))
registerError('Cart.CheckedOutError', (f) => new CartCheckedOutError(String(f.cartId)))
registerError('Cart.EmptyCartError', (f) => new EmptyCartError(String(f.cartId)))
