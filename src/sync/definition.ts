// Which streams of a store sync, and how each kind resolves a conflict: an app's sync settings.
import type { CheckedEvent, Rules } from '../eventstore'
import { isDomainError } from './isDomainError'
import type { SyncPolicy } from './status'

export type { CheckedEvent } from '../eventstore'

export interface SyncConfig {
  /**
   * By stream category (the part of the stream's name before `$`: `Board` for `Board$42`), how its
   * streams sync. Streams of other categories stay on the device.
   */
  policies: Readonly<Record<string, SyncPolicy>>
  /**
   * The app's rules (`defineRules`), the same the sync server checks pushes with: a rebase keeps a
   * pending event when `rules.check(stream, confirmed, [event])` takes it, and `isRefusal`
   * defaults to `rules.isRefusal`. A rule that reads other streams gets none here, so it refuses:
   * give such a category the `reject` policy.
   */
  rules?: Rules
  /**
   * The domain's rules for a rebase, written by hand (with `rules` there is no need; given too,
   * this one is used): throws a refusal (the domain's error, see `isRefusal`) when `event` cannot
   * follow `confirmed`, the stream's events as the server has them plus the pending ones kept so
   * far; returns (at once, not a promise) when it can. Without it or `rules`, a rebase keeps every
   * pending event and lets the server judge them.
   */
  check?: (stream: string, confirmed: readonly CheckedEvent[], event: CheckedEvent) => void
  /**
   * Whether an error `check` threw is the domain refusing the event: the event is dropped, and
   * its report names the rule (the error's `code`, else its `name`, and its message). Anything
   * else `check` throws is taken for a fault of the app's code: every pending event of the stream
   * is kept, the stream is not pushed, and the status shows the problem (code `check_failed`)
   * until an engine with fixed code (a reload) checks the events again.
   * By default `rules.isRefusal` when `rules` is given, else `isDomainError`: an instance of the
   * app's own subclass of `EventStoreError`, or a refusal of the rules (`RuleRefusalError`).
   */
  isRefusal?: (error: unknown) => boolean
}

export interface SyncDefinition extends SyncConfig {
  isRefusal(error: unknown): boolean
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
  const { rules } = config
  const check = config.check ?? (rules === undefined ? undefined : (stream: string, confirmed: readonly CheckedEvent[], event: CheckedEvent) => rules.check(stream, confirmed, [event]))
  const isRefusal = config.isRefusal ?? (rules === undefined ? isDomainError : (error: unknown) => rules.isRefusal(error))
  return { ...config, ...(check === undefined ? {} : { check }), isRefusal, policyOf, syncs: (stream) => policyOf(stream) !== undefined }
}
