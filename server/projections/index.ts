export { catchUp, processBatch, subscribe } from './subscribe'
export type { Runner, RunnerOptions, StoredEvent, Subscription } from './subscribe'
export { ordersOf, ordersProjection } from './orders'
export type { OrderView } from './orders'
