// Kiroku's React binding (`kiroku-es/react`): a provider and thin hooks over the library's stores,
// each one useSyncExternalStore over a source that knows no React.
/**
 * The React binding: a provider and hooks over the store, projections and commands.
 *
 * @module kiroku-es/react
 */
export { KirokuProvider, useStore } from './KirokuProvider'
export type { KirokuProviderProps } from './KirokuProvider'
export { useProjection } from './useProjection'
export type { ProjectionSource } from './useProjection'
export { useCommand } from './useCommand'
export type { Command } from './useCommand'
export { CommandRunner } from './CommandRunner'
export type { CommandOutcome, CommandState } from './CommandRunner'
export { useStreamVersion } from './useStreamVersion'
export type { StreamVersionOptions } from './useStreamVersion'
export { StreamVersion } from './StreamVersion'
export type { ChangeSource, StreamVersionState } from './StreamVersion'
