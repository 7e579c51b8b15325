import { createContext, useContext, type ReactNode } from 'react'
import type { DispatchLog, ProjectionsView } from '../eventstore'
import type { CartView, OrdersView } from '../projections'
import type { AppUpdates, Installer, StoragePersistence, ValueSource } from '../pwa'
import { KirokuProvider, useProjection } from '../react'
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

/** The shop's services, and its store for the library's hooks (kiroku/react). */
export function ServicesProvider({ value, children }: { value: AppServices; children?: ReactNode }) {
  return (
    <ServicesContext.Provider value={value}>
      <KirokuProvider store={value.shop.store}>{children}</KirokuProvider>
    </ServicesContext.Provider>
  )
}

export function useServices(): AppServices {
  const services = useContext(ServicesContext)
  if (!services) throw new Error('useServices needs a ServicesProvider above it.')
  return services
}

export const useShop = (): Shop => useServices().shop

export function useCart<T>(selector: (cart: CartView) => T): T {
  return useProjection(useShop().cart, selector)
}

export function useOrders<T>(selector: (orders: OrdersView) => T): T {
  return useProjection(useShop().orders, selector)
}

export const useValue = <T,>(source: ValueSource<T>): T => useProjection(source)

export const useProjections = (): ProjectionsView => useProjection(useShop().projections)
