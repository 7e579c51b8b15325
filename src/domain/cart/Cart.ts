import { AggregateRoot } from '../../eventstore/aggregates'
import { productById } from '../catalog'
import { couponDiscount } from './coupons'
import {
  CartCheckedOutError,
  CouponAlreadyAppliedError,
  EmptyCartError,
  InvalidItemError,
  InvalidPriceError,
  InvalidQuantityError,
  ItemNotInCartError,
  PriceMismatchError,
  UnknownCouponError,
  UnknownProductError,
} from './errors'
import { MAX_QUANTITY } from './limits'
import { CheckedOut, CouponApplied, ItemAdded, ItemQuantityUpdated, ItemRemoved, type CartEvent } from './events'

export interface CartLine {
  itemId: string
  quantity: number
  /** Unit price in yen. */
  price: number
}

export interface CartState {
  lines: CartLine[]
  coupon: { code: string; discount: number } | null
  orderId: string | null
}

export const emptyCart = (): CartState => ({ lines: [], coupon: null, orderId: null })

export const subtotalOf = (state: CartState): number => state.lines.reduce((sum, l) => sum + l.quantity * l.price, 0)
/** The discount actually taken: never more than the subtotal, so the total is never below zero. */
export const discountOf = (state: CartState): number => Math.min(state.coupon?.discount ?? 0, subtotalOf(state))
export const totalOf = (state: CartState): number => subtotalOf(state) - discountOf(state)

const withLine = (lines: CartLine[], itemId: string, change: (line: CartLine) => CartLine | null): CartLine[] =>
  lines.flatMap((line) => (line.itemId === itemId ? (change(line) ?? []) : [line]))

type Shape<E> = E extends { type: infer T; data: infer D } ? { type: T; data: D } : never
/** A cart event, new or recorded: its type and data. */
export type CartChange = Shape<CartEvent>

/** One cart event applied to a cart's state: the aggregate and the UI's cart store both use it. */
export function evolveCart(state: CartState, event: CartChange): CartState {
  switch (event.type) {
    case 'Cart.ItemAdded': {
      const { data } = event
      const existing = state.lines.find((l) => l.itemId === data.itemId)
      const lines = existing
        ? withLine(state.lines, data.itemId, (l) => ({ ...l, quantity: l.quantity + data.quantity, price: data.price }))
        : [...state.lines, { itemId: data.itemId, quantity: data.quantity, price: data.price }]
      return { ...state, lines }
    }
    case 'Cart.ItemQuantityUpdated':
      return { ...state, lines: withLine(state.lines, event.data.itemId, (l) => ({ ...l, quantity: event.data.quantity })) }
    case 'Cart.ItemRemoved':
      return { ...state, lines: withLine(state.lines, event.data.itemId, () => null) }
    case 'Cart.CouponApplied':
      return { ...state, coupon: { code: event.data.code, discount: event.data.discount } }
    case 'Cart.CheckedOut':
      return { ...state, orderId: event.data.orderId }
  }
}

export class Cart extends AggregateRoot<CartState> {
  static readonly aggregateName = 'Cart'
  static readonly snapshotEvery = 50
  static readonly snapshotVersion = 1

  constructor(id: string) {
    super(id, emptyCart())
    this.on(ItemAdded, evolveCart)
    this.on(ItemQuantityUpdated, evolveCart)
    this.on(ItemRemoved, evolveCart)
    this.on(CouponApplied, evolveCart)
    this.on(CheckedOut, evolveCart)
  }

  get lines(): readonly CartLine[] {
    return this.state.lines
  }

  get coupon(): CartState['coupon'] {
    return this.state.coupon
  }

  get orderId(): string | null {
    return this.state.orderId
  }

  get subtotal(): number {
    return subtotalOf(this.state)
  }

  get discount(): number {
    return discountOf(this.state)
  }

  /** Σ quantity × price − discount, never below zero. */
  get totalPrice(): number {
    return totalOf(this.state)
  }

  addItem(itemId: string, quantity: number, price: number): void {
    this.assertOpen()
    checkItem(itemId)
    checkQuantity(quantity)
    checkCatalogPrice(itemId, price)
    const current = this.quantityOf(itemId) ?? 0
    if (current + quantity > MAX_QUANTITY) throw new InvalidQuantityError(current + quantity)
    this.apply(ItemAdded({ cartId: this.id, itemId, quantity, price }))
  }

  updateItemQuantity(itemId: string, quantity: number): void {
    this.assertOpen()
    checkQuantity(quantity)
    const current = this.quantityOf(itemId)
    if (current === undefined) throw new ItemNotInCartError(itemId)
    if (current === quantity) return
    this.apply(ItemQuantityUpdated({ cartId: this.id, itemId, quantity }))
  }

  removeItem(itemId: string): void {
    this.assertOpen()
    if (this.quantityOf(itemId) === undefined) throw new ItemNotInCartError(itemId)
    this.apply(ItemRemoved({ cartId: this.id, itemId }))
  }

  applyCoupon(code: string): void {
    this.assertOpen()
    const discount = couponDiscount(String(code))
    if (discount === undefined) throw new UnknownCouponError(String(code).trim())
    const normalised = String(code).trim().toUpperCase()
    if (this.state.coupon?.code === normalised) throw new CouponAlreadyAppliedError(normalised)
    this.apply(CouponApplied({ cartId: this.id, code: normalised, discount }))
  }

  checkout(orderId: string): void {
    this.assertOpen()
    if (this.state.lines.length === 0) throw new EmptyCartError(this.id)
    this.apply(CheckedOut({ cartId: this.id, orderId }))
  }

  private quantityOf(itemId: string): number | undefined {
    return this.state.lines.find((l) => l.itemId === itemId)?.quantity
  }

  private assertOpen(): void {
    if (this.state.orderId !== null) throw new CartCheckedOutError(this.id)
  }
}

export function checkItem(itemId: unknown): void {
  if (typeof itemId !== 'string' || itemId.trim().length === 0) throw new InvalidItemError(itemId)
}

/** A product of the catalog at the catalog's price: InvalidPriceError, UnknownProductError or PriceMismatchError otherwise. */
export function checkCatalogPrice(itemId: string, price: unknown): void {
  if (typeof price !== 'number' || !Number.isSafeInteger(price) || price < 0) throw new InvalidPriceError(price)
  const product = productById(itemId)
  if (product === undefined) throw new UnknownProductError(itemId)
  if (product.price !== price) throw new PriceMismatchError(itemId, price, product.price)
}

export function checkQuantity(quantity: unknown): void {
  if (typeof quantity !== 'number' || !Number.isInteger(quantity) || quantity < 1 || quantity > MAX_QUANTITY) {
    throw new InvalidQuantityError(quantity)
  }
}
