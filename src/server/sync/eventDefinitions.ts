// The event types the server accepts are the app's own definitions, never a copy: given as a
// list, or as a module's exports (every export that has a string `type` and `is`/`parse` functions).
import type { EventDefinition } from '../../eventstore/events'

export type EventDefinitions = ReadonlyMap<string, EventDefinition>

function isEventDefinition(value: unknown): value is EventDefinition {
  if ((typeof value !== 'function' && typeof value !== 'object') || value === null) return false
  const candidate = value as Partial<EventDefinition>
  return typeof candidate.type === 'string' && typeof candidate.is === 'function' && typeof candidate.parse === 'function'
}

/** The event definitions among a module's exports, by type. */
export function eventDefinitionsOf(exports: Record<string, unknown>): EventDefinitions {
  const definitions = new Map<string, EventDefinition>()
  for (const value of Object.values(exports)) if (isEventDefinition(value)) definitions.set(value.type, value)
  return definitions
}
