// The event types the server accepts are the domain's own definitions (src/domain), never a copy:
// every export that is an event definition (has a string `type` and the `is`/`parse` functions).
import * as domain from '../../src/domain'
import type { EventDefinition } from '../../src/eventstore/events'

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

/** The domain's event definitions: what the browser writes is what the server accepts. */
export const domainEventDefinitions: EventDefinitions = eventDefinitionsOf(domain)
