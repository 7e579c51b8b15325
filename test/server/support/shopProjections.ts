// The library's server projections and the shop's orders read model.
export * from '../../../src/server/projections'
export { ordersOf, ordersProjection } from '../../../server/orders'
export type { OrderView } from '../../../server/orders'
export { serverProjections } from '../../../server/shop'
