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

/** One Order event applied to an order's row (undefined: no row yet). */
export function evolveOrderRow(row: OrderRow | undefined, event: RecordedEvent): OrderRow | undefined {
  if (OrderPlaced.is(event)) {
    const { orderId, cartId, lines, total } = event.data
    const itemCount = lines.reduce((n, l) => n + l.quantity, 0)
    return { orderId, cartId, status: 'draft', total, itemCount, placedAt: event.metadata.timestamp, completedAt: null }
  }
  if (OrderCompleted.is(event) && row) return { ...row, status: 'completed', completedAt: event.metadata.timestamp }
  return row
}

/** Applies Order events to the orders table: the rows they touch read once, written once. */
export async function applyOrderEvents(orders: Table<OrderRow, string>, events: readonly RecordedEvent[]): Promise<void> {
  const ids = [...new Set(events.map((event) => (event.data as { orderId: string }).orderId))]
  const existing = await orders.bulkGet(ids)
  const rows = new Map(ids.map((id, i) => [id, existing[i]]))
  for (const event of events) {
    const id = (event.data as { orderId: string }).orderId
    rows.set(id, evolveOrderRow(rows.get(id), event))
  }
  await orders.bulkPut([...rows.values()].filter((row): row is OrderRow => row !== undefined))
}

/** Applies one Order event through the given store view (joining its transaction). */
export const projectOrder = (store: EventStore, event: RecordedEvent): Promise<void> =>
  applyOrderEvents(store.db.table<OrderRow, string>(ORDERS), [event])

/** Keeps the orders table as a sync projection: updated inside `publish`. */
export function subscribeOrderList(store: EventStore): () => void {
  return store.subscribe((event, { store: scoped }) => projectOrder(scoped, event), { to: orderListEvents })
}

/** The deferred form, run by the worker after commit with its checkpoint. */
export const orderListProjection = defineProjection({
  name: 'orders',
  events: orderListEvents,
  tables: [ORDERS],
  applyBatch: (events, { table }) => applyOrderEvents(table<OrderRow, string>(ORDERS), events),
})
