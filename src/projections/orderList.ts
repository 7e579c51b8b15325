// The orders read model: one row per order, kept by a projection of Order events.
import type { EventStore, RecordedEvent } from '../eventstore'
import { OrderCompleted, OrderPlaced } from '../domain/order'

export const ORDERS = 'orders'

/** Declare with `openEventStore({ readModels })` (merged with the app's other tables). */
export const orderListTables = { [ORDERS]: 'orderId, status, placedAt' }

export interface OrderRow {
  orderId: string
  cartId: string
  status: 'draft' | 'completed'
  total: number
  itemCount: number
  placedAt: Date
  completedAt: Date | null
}

export const orderListEvents = [OrderPlaced, OrderCompleted]

/** Applies one Order event to the orders table of the given store view (joins its transaction). */
export async function projectOrder(store: EventStore, event: RecordedEvent): Promise<void> {
  const orders = store.db.table<OrderRow, string>(ORDERS)
  if (OrderPlaced.is(event)) {
    const { orderId, cartId, lines, total } = event.data
    await orders.put({
      orderId,
      cartId,
      status: 'draft',
      total,
      itemCount: lines.reduce((n, l) => n + l.quantity, 0),
      placedAt: event.metadata.timestamp,
      completedAt: null,
    })
  } else if (OrderCompleted.is(event)) {
    await orders.update(event.data.orderId, { status: 'completed', completedAt: event.metadata.timestamp })
  }
}

/** Keeps the orders table as a sync projection: updated inside `publish`. */
export function subscribeOrderList(store: EventStore): () => void {
  return store.subscribe((event, { store: scoped }) => projectOrder(scoped, event), { to: orderListEvents })
}
