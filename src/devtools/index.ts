// Kiroku's devtools: a React panel over any Kiroku event store. The library never imports it.
export { DevtoolsPanel } from './DevtoolsPanel'
export type { ChangeFeed, DevtoolsPanelProps, DispatchRuns, ProjectionsSource } from './types'
export type { TimelineFilter } from './timeline/filter'
