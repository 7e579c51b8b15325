import { AggregateRoot } from '../../eventstore/aggregates'
import { checkCatalogPrice, checkItem, checkQuantity, type Cart } from '../cart/Cart'
import { coupons } from '../cart/coupons'
import { OrderAlreadyPlacedError, OrderInconsistentError, OrderNotDraftError } from './errors'
import { OrderCompleted, OrderPlaced, type OrderLine } from './events'

export type OrderStatus = 'none' | 'draft' | 'completed'

export interface OrderState {
  status: OrderStatus
  cartId: string | null
  lines: OrderLine[]
  total: number
}

export class Order extends AggregateRoot<OrderState> {
  static readonly aggregateName = 'Order'

  constructor(id: string) {
    super(id, { status: 'none', cartId: null, lines: [], total: 0 })
    this.on(OrderPlaced, (state, { data }) => ({ ...state, status: 'draft', cartId: data.cartId, lines: data.lines, total: data.total }))
    this.on(OrderCompleted, (state) => ({ ...state, status: 'completed' }))
  }

  get status(): OrderStatus {
    return this.state.status
  }

  get total(): number {
    return this.state.total
  }

  get lines(): readonly OrderLine[] {
    return this.state.lines
  }

  /** A new draft order from a cart's lines and totals. */
  place(cartId: string, lines: readonly OrderLine[], subtotal: number, discount: number): void {
    if (this.state.status !== 'none') throw new OrderAlreadyPlacedError(this.id)
    checkOrderLines(this.id, cartId, lines, subtotal, discount)
    this.apply(
      OrderPlaced({ orderId: this.id, cartId, lines: lines.map((l) => ({ ...l })), subtotal, discount, total: subtotal - discount }),
    )
  }

  /** draft → completed. Anything else does nothing and says so with OrderNotDraftError. */
  complete(): void {
    if (this.state.status !== 'draft') throw new OrderNotDraftError(this.id, this.state.status)
    this.apply(OrderCompleted({ orderId: this.id }))
  }
}

/**
 * An order placed from a cart made elsewhere (another device, pushed to the server) must be the
 * one its checkout made: the cart it names (the same account's, as stored) checked out to this
 * very order, with the order's lines and totals. So of two devices that check the same cart out
 * offline, the second order is refused. Without the cart the order is refused too: an unknown cart
 * and another account's are told apart by nothing.
 */
export function checkPlacedFrom(orderId: string, placed: { cartId: string; lines: readonly OrderLine[]; subtotal: number; discount: number }, cart: Cart | undefined): void {
  const { cartId } = placed
  if (cart === undefined) throw new OrderInconsistentError(orderId, `cart ${cartId} is not one of this account's carts`)
  if (cart.orderId === null) throw new OrderInconsistentError(orderId, `cart ${cartId} was not checked out`)
  if (cart.orderId !== orderId) throw new OrderInconsistentError(orderId, `cart ${cartId} was checked out to another order`)
  const lineOf = (l: OrderLine) => [l.itemId, l.quantity, l.price]
  const sameLines = JSON.stringify(cart.lines.map(lineOf)) === JSON.stringify(placed.lines.map(lineOf))
  if (!sameLines || cart.subtotal !== placed.subtotal || cart.discount !== placed.discount) {
    throw new OrderInconsistentError(orderId, `its lines or totals do not match cart ${cartId} it was checked out from`)
  }
}

/** An order's lines and totals as its cart makes them: catalog products at catalog prices, 1…99
 * of each, subtotal = Σ quantity × price, a discount of none or a coupon's (at most the subtotal). */
function checkOrderLines(orderId: string, cartId: string, lines: readonly OrderLine[], subtotal: number, discount: number): void {
  if (typeof cartId !== 'string' || cartId.length === 0) throw new OrderInconsistentError(orderId, 'it names no cart')
  if (!Array.isArray(lines) || lines.length === 0) throw new OrderInconsistentError(orderId, 'it has no lines')
  const seen = new Set<string>()
  for (const line of lines as readonly unknown[]) {
    if (typeof line !== 'object' || line === null) throw new OrderInconsistentError(orderId, 'a line is not an item')
    const { itemId, quantity, price } = line as OrderLine
    checkItem(itemId)
    checkQuantity(quantity)
    checkCatalogPrice(itemId, price)
    if (seen.has(itemId)) throw new OrderInconsistentError(orderId, `${itemId} is on two lines`)
    seen.add(itemId)
  }
  const sum = lines.reduce((total, l) => total + l.quantity * l.price, 0)
  if (subtotal !== sum) throw new OrderInconsistentError(orderId, `its subtotal ${String(subtotal)} is not the lines' ${sum}`)
  const discounts = new Set([0, ...Object.values(coupons).map((off) => Math.min(off, sum))])
  if (typeof discount !== 'number' || !discounts.has(discount)) throw new OrderInconsistentError(orderId, `a discount of ${String(discount)} is not a coupon's`)
}
