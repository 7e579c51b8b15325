import { defineEvent, type EventOf } from '../../eventstore/events'

export interface OrderLine {
  itemId: string
  quantity: number
  /** Unit price in yen. */
  price: number
}

export const OrderPlaced = defineEvent<
  { orderId: string; cartId: string; lines: OrderLine[]; subtotal: number; discount: number; total: number },
  'Order.Placed'
>('Order.Placed')
export const OrderCompleted = defineEvent<{ orderId: string }, 'Order.Completed'>('Order.Completed')

export type OrderEvent = EventOf<typeof OrderPlaced> | EventOf<typeof OrderCompleted>
