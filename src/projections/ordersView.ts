// The orders list the screen shows: the newest orders of the worker's deferred read model, a page
// at a time, reloaded as it advances. A page, not the table: a device with years of orders (tens of
// thousands of rows) would otherwise read and render them all before the shop could open.
import { createStore, type StoreApi } from 'zustand/vanilla'
import type { EventStore } from '../eventstore'
import { ORDERS, type OrderRow } from './orderList'

/** How many more orders "Show older orders" adds, and how many the screen shows at first. */
export const ORDERS_PAGE = 50

export interface OrdersView {
  loaded: boolean
  /** The newest orders, newest first: at most `limit`. */
  orders: readonly OrderRow[]
  /** How many the screen asks for. */
  limit: number
  /** True when older orders are stored beyond the ones shown. */
  more: boolean
}

export type OrdersViewStore = StoreApi<OrdersView>

export const createOrdersView = (): OrdersViewStore => createStore<OrdersView>(() => ({ loaded: false, orders: [], limit: ORDERS_PAGE, more: false }))

// Each view's latest read: an earlier one finishing after it (a smaller page, an older state) is dropped.
const reads = new WeakMap<OrdersViewStore, number>()

/** Reads the newest `limit` orders (one more, to know whether there are older ones). */
export async function loadOrders(store: EventStore, ordersView: OrdersViewStore): Promise<void> {
  const read = (reads.get(ordersView) ?? 0) + 1
  reads.set(ordersView, read)
  const { limit } = ordersView.getState()
  const rows = await store.db.table<OrderRow, string>(ORDERS).orderBy('placedAt').reverse().limit(limit + 1).toArray()
  if (reads.get(ordersView) !== read) return
  ordersView.setState({ loaded: true, orders: rows.slice(0, limit), more: rows.length > limit })
}

/** Shows `ORDERS_PAGE` more of the older orders. */
export function showMoreOrders(store: EventStore, ordersView: OrdersViewStore): Promise<void> {
  ordersView.setState((view) => ({ limit: view.limit + ORDERS_PAGE }))
  return loadOrders(store, ordersView)
}

/** Which of these order ids this device's orders table holds (keys only, one read). */
export async function storedOrderIds(store: EventStore, orderIds: readonly string[]): Promise<Set<string>> {
  return new Set(await store.db.table<OrderRow, string>(ORDERS).where(':id').anyOf([...orderIds]).primaryKeys())
}
