import type { EventStore, ReadQuery, RecordedEvent } from '../../eventstore'
import { toText } from '../format'

/** What the timeline shows; empty strings mean "any". They combine (all must hold). */
export interface TimelineFilter {
  stream: string
  type: string
  correlationId: string
  /** `datetime-local` values, local time; both ends included. */
  from: string
  to: string
  /** Free text, case-insensitive, over the event's data. */
  text: string
}

export const NO_FILTER: TimelineFilter = Object.freeze({ stream: '', type: '', correlationId: '', from: '', to: '', text: '' })

export const isFiltered = (filter: TimelineFilter): boolean => Object.values(filter).some((value) => value !== '')

/**
 * The part of the filter storage answers by key range, reading only matches: a stream is one range
 * over its rows (which also carry the type), a type or a correlation id one range of the log's
 * index by it (the correlation's, checking the type, when both are set; with a stream, the
 * stream's rows checked against the correlation's positions). What is left is `matcher`'s.
 */
export function baseQuery(store: EventStore, filter: TimelineFilter): ReadQuery {
  let query = filter.stream ? store.read.stream(filter.stream) : store.read
  if (filter.type) query = query.ofType(filter.type)
  const correlation = filter.correlationId.trim()
  if (correlation) query = query.correlatedWith(correlation)
  return query
}

/** The rest of the filter (time range, text), checked on each event read; null when nothing is left to check. */
export function matcher(filter: TimelineFilter): ((event: RecordedEvent) => boolean) | null {
  const checks: Array<(event: RecordedEvent) => boolean> = []
  const from = parseLocal(filter.from, 'start')
  const to = parseLocal(filter.to, 'end')
  if (from !== null || to !== null) {
    checks.push((e) => {
      const at = e.metadata.timestamp instanceof Date ? e.metadata.timestamp.getTime() : NaN
      return (from === null || at >= from) && (to === null || at <= to)
    })
  }
  const text = filter.text.trim().toLowerCase()
  if (text) checks.push((e) => toText(e.data).toLowerCase().includes(text))
  return checks.length ? (e) => checks.every((check) => check(e)) : null
}

/**
 * A `datetime-local` value as epoch ms; `end` rounds up to the last millisecond of the minute
 * (or second) given, so "to 10:05" includes events at 10:05:30. Null when empty or invalid.
 */
export function parseLocal(value: string, side: 'start' | 'end'): number | null {
  if (!value) return null
  const at = new Date(value).getTime()
  if (Number.isNaN(at)) return null
  if (side === 'start') return at
  const withSeconds = /T\d\d:\d\d:\d\d/.test(value)
  const withMillis = /T\d\d:\d\d:\d\d\.\d/.test(value)
  return at + (withMillis ? 0 : withSeconds ? 999 : 59_999)
}
