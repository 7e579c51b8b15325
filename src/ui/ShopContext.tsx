import { createContext, useContext, useSyncExternalStore } from 'react'
import { useStore } from 'zustand'
import type { DispatchLog, ProjectionsView } from '../eventstore'
import type { CartView, OrdersView } from '../projections'
import type { AppUpdates, Installer, StoragePersistence, ValueSource } from '../pwa'
import type { Shop } from './Shop'

export interface AppServices {
  shop: Shop
  online: ValueSource<boolean>
  storage: StoragePersistence
  installer: Installer
  updates: AppUpdates
  /** Which handlers ran for each event, for the devtools. */
  dispatches: DispatchLog
  /** True once another tab opened a newer version of the shop's database. */
  outdated: ValueSource<boolean>
}

const ServicesContext = createContext<AppServices | null>(null)
export const ServicesProvider = ServicesContext.Provider

export function useServices(): AppServices {
  const services = useContext(ServicesContext)
  if (!services) throw new Error('useServices needs a ServicesProvider above it.')
  return services
}

export const useShop = (): Shop => useServices().shop

export function useCart<T>(selector: (cart: CartView) => T): T {
  return useStore(useShop().cart, selector)
}

export function useOrders<T>(selector: (orders: OrdersView) => T): T {
  return useStore(useShop().orders, selector)
}

export function useValue<T>(source: ValueSource<T>): T {
  return useSyncExternalStore(source.subscribe, source.getSnapshot)
}

export function useProjections(): ProjectionsView {
  const client = useShop().projections
  return useSyncExternalStore(client.subscribe, client.getSnapshot)
}
