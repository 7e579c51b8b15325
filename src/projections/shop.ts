import { orderListProjection, orderListTables } from './orderList'
import { sessionTables } from './session'

/** Every read-model table of the shop, in the store's database. Raise the version when they change. */
export const shopReadModels = { version: 1, stores: { ...orderListTables, ...sessionTables } }

/** The projections the worker runs after commit. */
export const deferredProjections = [orderListProjection]
