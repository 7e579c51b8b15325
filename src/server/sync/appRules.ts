// The app's rules as the server uses them (defined with the event store's `defineRules`).
// TEMPORARY local copy of the interface until the event store exports it.
import type { EventDefinition } from '../../eventstore/events'

export interface CheckedEvent {
  type: string
  data: unknown
}

export interface Rules {
  readonly definitions: ReadonlyMap<string, EventDefinition>
  categoryOf(stream: string): string | undefined
  governs(stream: string, events: readonly CheckedEvent[]): boolean
  ownerNamedBy(stream: string): string | undefined
  reads(stream: string, events: readonly CheckedEvent[]): string[]
  check(stream: string, stored: readonly CheckedEvent[], events: readonly CheckedEvent[], options?: { streams?: ReadonlyMap<string, readonly CheckedEvent[]> }): void
  isRefusal(error: unknown): boolean
}
