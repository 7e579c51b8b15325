import { ordersProjection } from './orders'
import type { Subscription } from './subscription'

export { catchUp, parkedLine, processBatch, subscribe } from './subscribe'
export type { BatchOptions, BatchResult, CatchUpOptions, Runner, RunnerOptions, StoredEvent, Subscription } from './subscribe'
export { BEHIND_PARKED, ParkingHalted, parkedEvents, retryParked } from './parkedEvents'
export type { ParkedEvent, ParkStreak, RetryOptions, RetryResult } from './parkedEvents'
export { isUnavailable } from './failures'
export { ordersOf, ordersProjection } from './orders'
export type { OrderView } from './orders'

/** The shop server's projections, by name: what the server runs and the operator's script retries. */
export const serverProjections: readonly Subscription[] = [ordersProjection]
