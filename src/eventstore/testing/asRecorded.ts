import type { EventMetadata, NewEvent, RecordedEvent } from '../events'

/** The time given events are recorded at, unless their metadata says otherwise: fixed, so tests are repeatable. */
export const GIVEN_AT = new Date('2000-01-01T00:00:00.000Z')

/**
 * Given events as the store would hand them back: positions 1, 2, … in order, and the metadata
 * the store adds (each its own correlation, recorded at GIVEN_AT unless its metadata has a `timestamp`) under what the event carries.
 * Recorded events (with a `globalPosition`) are taken as they are.
 */
export function asRecorded(events: ReadonlyArray<NewEvent | RecordedEvent>): RecordedEvent[] {
  return events.map((event, i) => {
    if ('globalPosition' in event) return event
    const timestamp = event.metadata.timestamp instanceof Date ? event.metadata.timestamp : GIVEN_AT
    const metadata: EventMetadata = { correlationId: event.eventId, timestamp, validAt: timestamp, ...event.metadata }
    return { eventId: event.eventId, type: event.type, data: event.data, metadata, globalPosition: i + 1 }
  })
}
