export { ordersOf, ordersProjection } from './projection'
export type { OrderView } from './projection'
export { orderRoutes } from './routes'
