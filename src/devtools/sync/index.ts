// The devtools' Sync view: what the sync engine reports, shown as text.
export { SyncPanel } from './SyncPanel'
export type { SyncPanelProps } from './SyncPanel'
