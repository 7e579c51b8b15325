import type { EventDefinition } from '../events'

/** An event as the rules see it, new or stored: its type and data. */
export interface CheckedEvent {
  type: string
  data: unknown
}

/**
 * An app's rules, written once (`defineRules`) and used wherever events made elsewhere arrive: the
 * sync server checks each pushed commit with them, and the browser's rebase checks each pending
 * event with them. A stream `<Category>$<id>` is governed by its category's rules.
 */
export interface Rules {
  /** Every event definition the rules know, by type (each category's events, plus `events` given besides). */
  readonly definitions: ReadonlyMap<string, EventDefinition>
  /** The category whose rules govern the stream, by its name `<Category>$<id>`; undefined for none. */
  categoryOf(stream: string): string | undefined
  /** Whether `check` of these new events needs the stream's stored events (a governed stream, or an event of a category's type). */
  governs(stream: string, events: readonly CheckedEvent[]): boolean
  /** The user id a stream's name says owns it (a category declared as named after its owner: `Profile$<userId>`), else undefined. */
  ownerNamedBy(stream: string): string | undefined
  /** The other streams (same partition) the rules of these new events of `stream` read, by name. */
  reads(stream: string, events: readonly CheckedEvent[]): string[]
  /**
   * Throws the app's refusal when `events` cannot follow `stored` in `stream`; returns when all can.
   * `streams`: the stored events of the streams `reads` named (missing = not found: a rule that needs one fails).
   */
  check(stream: string, stored: readonly CheckedEvent[], events: readonly CheckedEvent[], options?: { streams?: ReadonlyMap<string, readonly CheckedEvent[]> }): void
  /** Whether an error `check` threw is a refusal of the events (not a bug of the app's code). */
  isRefusal(error: unknown): boolean
}
