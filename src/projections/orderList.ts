// The orders read model: one row per order, kept by a projection of Order events — deferred in
// the worker for the app, or as a sync handler (the seed's CQRS examples).
import type { Table } from 'dexie'
import { defineProjection, type EventStore, type RecordedEvent } from '../eventstore'
import { OrderCompleted, OrderPlaced } from '../domain/order'

export const ORDERS = 'orders'

/** Declared through `openEventStore({ readModels })` (see `shopReadModels`). */
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

/** Applies one Order event to the orders table. */
export async function applyOrderEvent(orders: Table<OrderRow, string>, event: RecordedEvent): Promise<void> {
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

/** Applies one Order event through the given store view (joining its transaction). */
export const projectOrder = (store: EventStore, event: RecordedEvent): Promise<void> =>
  applyOrderEvent(store.db.table<OrderRow, string>(ORDERS), event)

/** Keeps the orders table as a sync projection: updated inside `publish`. */
export function subscribeOrderList(store: EventStore): () => void {
  return store.subscribe((event, { store: scoped }) => projectOrder(scoped, event), { to: orderListEvents })
}

/** The deferred form, run by the worker after commit with its checkpoint. */
export const orderListProjection = defineProjection({
  name: 'orders',
  events: orderListEvents,
  tables: [ORDERS],
  apply: (event, { table }) => applyOrderEvent(table<OrderRow, string>(ORDERS), event),
})
