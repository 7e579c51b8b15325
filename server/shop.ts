// The shop's sync server: Kiroku's server (src/server) with the shop's rules (its domain), its
// orders read model and route. Everything else — accounts, push, pull, live, limits — is the
// library's.
import { createSyncServer, type ServerProjection, type SyncServer, type SyncServerOptions } from '../src/server'
import { orderRoutes, ordersProjection } from './orders'
import { shopRules } from './rules'

/** The shop server's projections: what the server runs and the operator's script retries. */
export const serverProjections: readonly ServerProjection[] = [ordersProjection]

/** The shop's part of the server's options. */
export const shopOptions = {
  rules: shopRules,
  projections: serverProjections,
  routes: orderRoutes,
} satisfies Partial<SyncServerOptions>

export type ShopServerOptions = Omit<SyncServerOptions, keyof typeof shopOptions>

/** The shop's sync server over `options.database`. */
export function createShopServer(options: ShopServerOptions): SyncServer {
  return createSyncServer({ ...shopOptions, ...options })
}

/** The migrations of the shop's own tables (its projections'), after the server's. */
export const shopMigrations = serverProjections.flatMap((projection) => projection.migrations ?? [])
