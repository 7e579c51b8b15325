import { createContext, useContext, type ReactNode } from 'react'
import type { DispatchLog, ProjectionsView } from '../eventstore'
import type { CartView, OrdersView } from '../projections'
import type { AppUpdates, Installer, StoragePersistence, ValueSource } from '../pwa'
import { KirokuProvider, useProjection } from '../react'
import type { SyncClient, SyncView, User } from '../sync'
import type { Shop } from './Shop'

/**
 * Who is signed in on this device, and the account calls. Signing in or up moves the page to the
 * account's own database (merging this device's signed-out cart into the account's); signing out
 * clears this device's copy of the account's data. Failures reject with the sync library's
 * errors: SyncServerError (`code`: invalid, email_taken, bad_credentials, rate_limited) or
 * SyncUnreachableError.
 */
export interface AccountSession {
  readonly user: User | null
  signUp(email: string, password: string): Promise<void>
  signIn(email: string, password: string): Promise<void>
  /** Ask the person first: this device's copy of the account's data is deleted, waiting changes too. */
  signOut(): Promise<void>
}

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
  account: AccountSession
  /** Sync's state for this page; null while signed out (the shop is local only). */
  sync: SyncClient | null
}

const ServicesContext = createContext<AppServices | null>(null)

/** The shop's services, and its store for the library's hooks (kiroku-es/react). */
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

export const useAccount = (): AccountSession => useServices().account

const signedOut = { getSnapshot: () => null, subscribe: () => () => undefined }

/** Sync's view for this page, null while signed out. */
export function useSync(): SyncView | null {
  const sync = useServices().sync
  return useProjection<SyncView | null>(sync ?? signedOut)
}
