// Kiroku's devtools: a React panel over any Kiroku event store. The library never imports it.
export { DevtoolsPanel } from './DevtoolsPanel'
export { SyncPanel } from './sync'
export type { SyncPanelProps } from './sync'
export type { ChangeFeed, DevtoolsPanelProps, DevtoolsTab, DispatchRuns, ProjectionsSource } from './types'
export type { TimelineFilter } from './timeline/filter'
