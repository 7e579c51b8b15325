// The orders list the screen shows: the worker's deferred read model, reloaded as it advances.
import { createStore, type StoreApi } from 'zustand/vanilla'
import type { EventStore } from '../eventstore'
import { ORDERS, type OrderRow } from './orderList'

export interface OrdersView {
  loaded: boolean
  orders: readonly OrderRow[]
}

export type OrdersViewStore = StoreApi<OrdersView>

export const createOrdersView = (): OrdersViewStore => createStore<OrdersView>(() => ({ loaded: false, orders: [] }))

/** Reads the orders table, newest first. */
export async function loadOrders(store: EventStore, ordersView: OrdersViewStore): Promise<void> {
  const orders = await store.db.table<OrderRow, string>(ORDERS).orderBy('placedAt').reverse().toArray()
  ordersView.setState({ loaded: true, orders })
}
