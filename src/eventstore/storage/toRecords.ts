import type { EventMetadata, Metadata, NewEvent } from '../events'
import { EventDuplicatedInStreamError, InvalidEventDataError } from '../errors'
import type { EventRecord } from './schema'

/**
 * Checks new events and gives them their stored form. Metadata: the scope's, then the event's own
 * (which wins); a correlation id (the scope's, else the first event's id, so one call is one
 * correlation), the time of recording, and validAt (the timestamp unless given). Throws before
 * anything is written.
 */
export function toRecords(events: readonly NewEvent[], scopeMetadata: Metadata, now: Date, stream: string | null): EventRecord[] {
  const seen = new Set<string>()
  const first = events[0]?.eventId
  return events.map((event) => {
    if (event === null || typeof event !== 'object') throw new InvalidEventDataError(undefined, 'an event must be an object made by an event definition')
    const { eventId, type, data } = event
    if (typeof type !== 'string' || type.length === 0) throw new InvalidEventDataError(undefined, 'an event type must be a non-empty string')
    if (typeof eventId !== 'string' || eventId.length === 0) throw new InvalidEventDataError(type, 'an event id must be a non-empty string')
    if (seen.has(eventId)) throw new EventDuplicatedInStreamError(eventId, stream)
    seen.add(eventId)
    const own = event.metadata ?? {}
    if (typeof own !== 'object') throw new InvalidEventDataError(type, 'metadata must be an object')
    const metadata = { ...scopeMetadata, ...own } as EventMetadata
    metadata.correlationId ??= first as string
    if (typeof metadata.correlationId !== 'string') throw new InvalidEventDataError(type, 'metadata.correlationId must be a string')
    for (const key of ['timestamp', 'validAt'] as const) {
      if (key in own && !(own[key] instanceof Date)) throw new InvalidEventDataError(type, `metadata.${key} must be a Date`)
    }
    metadata.timestamp = (own.timestamp as Date | undefined) ?? now
    metadata.validAt ??= metadata.timestamp
    if (metadata.causationId === undefined) delete metadata.causationId
    return { eventId, type, data, metadata }
  })
}
