import { AggregateRoot } from '../../eventstore/aggregates'
import { OrderAlreadyPlacedError, OrderNotDraftError } from './errors'
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
