// Which streams of a store sync, and how each kind resolves a conflict: an app's sync settings.
import type { SyncPolicy } from './status'

/** An event as the domain's rules see it. */
export interface CheckedEvent {
  type: string
  data: unknown
}

export interface SyncConfig {
  /**
   * By stream category (the part of the stream's name before `$`: `Cart` for `Cart$42`), how its
   * streams sync. Streams of other categories stay on the device.
   */
  policies: Readonly<Record<string, SyncPolicy>>
  /**
   * The domain's rules for a rebase: throws (the domain's error) when `event` cannot follow
   * `confirmed`, the stream's events as the server has them plus the pending ones kept so far.
   * Without it, a rebase keeps every pending event and lets the server judge them.
   */
  check?: (stream: string, confirmed: readonly CheckedEvent[], event: CheckedEvent) => void
}

export interface SyncDefinition extends SyncConfig {
  /** Whether the stream syncs. */
  syncs(stream: string): boolean
  /** The stream's policy; undefined when it does not sync. */
  policyOf(stream: string): SyncPolicy | undefined
}

export const categoryOf = (stream: string): string => {
  const at = stream.indexOf('$')
  return at === -1 ? stream : stream.slice(0, at)
}

export function defineSync(config: SyncConfig): SyncDefinition {
  for (const [category, policy] of Object.entries(config.policies)) {
    if (policy !== 'rebase' && policy !== 'reject') throw new Error(`The sync policy of ${category} must be 'rebase' or 'reject', not ${String(policy)}.`)
  }
  const policyOf = (stream: string): SyncPolicy | undefined => (Object.hasOwn(config.policies, categoryOf(stream)) ? config.policies[categoryOf(stream)] : undefined)
  return { ...config, policyOf, syncs: (stream) => policyOf(stream) !== undefined }
}
