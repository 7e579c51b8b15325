// Between the store's events and the protocol's: what a pushed event carries, and a pulled event
// as the store keeps it (its times as Dates again, so it reads back like a local one).
import type { NewEvent, RecordedEvent } from '../eventstore'
import type { WireEvent } from './protocol'

export const toWire = (event: RecordedEvent): WireEvent => ({
  eventId: event.eventId,
  type: event.type,
  data: event.data,
  metadata: { ...event.metadata },
})

const TIMES = ['timestamp', 'validAt'] as const

/** A pulled (or re-applied) event, ready to append: its id, type, data and metadata kept. */
export function fromWire(event: WireEvent): NewEvent {
  const metadata: Record<string, unknown> = { ...(event.metadata ?? {}) }
  for (const key of TIMES) {
    const value = metadata[key]
    if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) metadata[key] = new Date(value)
    else if (!(value instanceof Date)) delete metadata[key]
  }
  return { eventId: event.eventId, type: event.type, data: event.data, metadata: metadata as NewEvent['metadata'] }
}

/** A stored event appended again (a rebase keeps its id, data and metadata). */
export const again = (event: RecordedEvent): NewEvent => ({ eventId: event.eventId, type: event.type, data: event.data, metadata: { ...event.metadata } })
