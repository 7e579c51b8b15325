// Kiroku's sync test kit (`kiroku-es/sync/testing`): simulated devices of an app's users around the
// app's own sync server, on networks a test cuts or makes lose answers, so a property test can
// check that the app's domain converges as the sync contract promises. Runner-agnostic: drive it
// from vitest, jest or node:test, with fast-check or by hand.
/**
 * A convergence test kit: simulated devices around an app's own sync server, on networks a test cuts.
 *
 * @module kiroku-es/sync/testing
 */
export { syncWorld } from './syncWorld'
export type { OpenedStore, SyncWorld, SyncWorldOptions } from './syncWorld'
export type { SimulatedDevice } from './SimulatedDevice'
export type { DeviceChange, DeviceEngineOptions, PlacedEvent } from './SimulatedDevice'
export type { AnswerKind } from './DeviceNetwork'
export type { SimulatedUser } from './SimulatedUser'
export type { DeviceOptions } from './SimulatedUser'
export type { SignIn, SyncServerHandle, UserIdentity } from './ServerConnection'
export type { SettleOptions, Settled } from './settle'
export type { Convergence, ConvergenceOptions } from './convergence'
export type { DeviceRef, WorldStep } from './steps'
export { differenceOf } from './differenceOf'
export { NotConvergedError, SyncDidNotSettleError, SyncWorldSetupError } from './errors'
