import { useVirtualizer } from '@tanstack/react-virtual'
import { useEffect, useLayoutEffect, useRef, useState, useSyncExternalStore, type KeyboardEvent } from 'react'
import { distinctSummary, formatTime } from '../format'
import type { TimelineModel, TimelineRow } from './TimelineModel'

export const ROW_HEIGHT = 28
/** A row on a narrow list: two lines (type and time; streams and data). */
export const COMPACT_ROW_HEIGHT = 42
/** Below this width (px) the list shows two-line rows. */
const COMPACT_BELOW = 560

interface TimelineProps {
  model: TimelineModel
  selectedId: string | null
  onSelect: (eventId: string) => void
  filtered: boolean
}

/** The log, newest first, as a virtualised list: only the rows in view (and a few more) are in the DOM. */
export function Timeline({ model, selectedId, onSelect, filtered }: TimelineProps) {
  const state = useSyncExternalStore(model.subscribe, model.getSnapshot)
  const { rows, exhausted, loading } = state
  const scroller = useRef<HTMLDivElement>(null)
  const compact = useNarrow(scroller, COMPACT_BELOW)
  const rowHeight = compact ? COMPACT_ROW_HEIGHT : ROW_HEIGHT
  const virtualizer = useVirtualizer({
    count: rows.length + (exhausted ? 0 : 1),
    getScrollElement: () => scroller.current,
    estimateSize: () => rowHeight,
    overscan: 10,
    initialRect: { width: 800, height: 480 },
    getItemKey: (index) => rows[index]?.event.eventId ?? 'more',
  })
  useLayoutEffect(() => virtualizer.measure(), [virtualizer, rowHeight])
  const items = virtualizer.getVirtualItems()
  const lastIndex = items.at(-1)?.index ?? 0

  // The loader row came into view: read the next page.
  useEffect(() => {
    if (!exhausted && !loading && lastIndex >= rows.length - 1) void model.loadMore()
  }, [model, exhausted, loading, lastIndex, rows.length])

  // New rows above: keep the rows the reader is looking at where they are.
  const firstId = rows[0]?.event.eventId
  const previousFirst = useRef(firstId)
  useLayoutEffect(() => {
    const before = previousFirst.current
    previousFirst.current = firstId
    const element = scroller.current
    if (!element || !before || before === firstId || element.scrollTop === 0) return
    const added = rows.findIndex((row) => row.event.eventId === before)
    if (added > 0) element.scrollTop += added * rowHeight
  }, [firstId, rows, rowHeight])

  const onKeyDown = (event: KeyboardEvent<HTMLOListElement>) => {
    const current = (event.target as HTMLElement).closest('[data-index]')
    if (!current) return
    const index = Number(current.getAttribute('data-index'))
    const target = { ArrowDown: index + 1, ArrowUp: index - 1, Home: 0, End: rows.length - 1 }[event.key]
    if (target === undefined || target < 0 || target >= rows.length) return
    event.preventDefault()
    virtualizer.scrollToIndex(target)
    requestAnimationFrame(() => scroller.current?.querySelector<HTMLButtonElement>(`[data-index="${target}"] button`)?.focus())
  }

  return (
    <div className={compact ? 'kd-timeline kd-timeline--compact' : 'kd-timeline'}>
      <div className="kd-timeline__head" aria-hidden="true">
        <span>#</span>
        <span>Time</span>
        <span>Type</span>
        <span>Streams</span>
        <span>Data</span>
      </div>
      <div className="kd-timeline__scroll" ref={scroller} tabIndex={-1}>
        <ol
          className="kd-timeline__list"
          aria-label={filtered ? 'Matching events, newest first' : 'Events, newest first'}
          aria-busy={loading}
          style={{ height: virtualizer.getTotalSize() }}
          onKeyDown={onKeyDown}
        >
          {items.map((item) => {
            const row = rows[item.index]
            return (
              <li
                key={item.key}
                data-index={item.index}
                aria-posinset={item.index + 1}
                aria-setsize={exhausted ? rows.length : -1}
                className="kd-timeline__item"
                style={{ transform: `translateY(${item.start}px)`, height: rowHeight }}
              >
                {row ? <Row row={row} selected={row.event.eventId === selectedId} onSelect={onSelect} /> : <span className="kd-timeline__more">{loading ? 'Loading…' : ''}</span>}
              </li>
            )
          })}
        </ol>
      </div>
      <p className="kd-timeline__status" role="status">
        {statusText(state.rows.length, model.checksEachEvent ? state.scanned : null, exhausted, loading, filtered)}
        {state.error && <span className="kd-error"> Reading the log failed: {state.error}</span>}
      </p>
    </div>
  )
}

function Row({ row, selected, onSelect }: { row: TimelineRow; selected: boolean; onSelect: (eventId: string) => void }) {
  const { event, streams } = row
  const time = formatTime(event.metadata.timestamp)
  const space = time.indexOf(' ')
  const streamsText = streams.map((s) => `${s.stream}@${s.position}`).join(' ')
  const data = distinctSummary(
    event.data,
    streams.map((s) => s.stream),
  )
  return (
    <button type="button" className="kd-row" aria-current={selected || undefined} data-event-id={event.eventId} onClick={() => onSelect(event.eventId)}>
      {/* The spaces keep the button's accessible name readable; the grid ignores them. */}
      <span className="kd-row__pos">{event.globalPosition}</span>{' '}
      <span className="kd-row__time" title={time}>
        {/* The date shows when the list is wide enough; the time always. */}
        {space > 0 && <span className="kd-row__date">{time.slice(0, space + 1)}</span>}
        {space > 0 ? time.slice(space + 1) : time}
      </span>{' '}
      <span className="kd-row__type" title={event.type}>
        {event.type}
      </span>{' '}
      <span className="kd-row__streams" title={streamsText}>
        {streamsText}
      </span>{' '}
      <span className="kd-row__data" title={data}>
        {data}
      </span>
    </button>
  )
}

/** Whether the element is narrower than `width` px, kept up to date as it resizes. */
function useNarrow(ref: { current: HTMLElement | null }, width: number): boolean {
  const [narrow, setNarrow] = useState(false)
  useLayoutEffect(() => {
    const element = ref.current
    if (!element) return
    const check = () => setNarrow(element.clientWidth > 0 && element.clientWidth < width)
    check()
    const observer = new ResizeObserver(check)
    observer.observe(element)
    return () => observer.disconnect()
  }, [ref, width])
  return narrow
}

/** `scanned` is null when storage answers the whole filter (a stream, a type, a correlation id): every event read matches. */
function statusText(rows: number, scanned: number | null, exhausted: boolean, loading: boolean, filtered: boolean): string {
  const shown = `${rows.toLocaleString('en')} ${rows === 1 ? 'event' : 'events'}`
  if (!filtered) return exhausted ? `${shown}, the whole log.` : `${shown} loaded${loading ? ', reading more…' : '; scroll for older ones.'}`
  const looked = scanned === null ? '' : ` (${scanned.toLocaleString('en')} looked at)`
  const match = rows === 1 ? 'matches' : 'match'
  if (exhausted) return rows ? `${shown} ${match}${looked}.` : `No event matches${looked}.`
  return `${shown} ${match} so far${looked}${loading ? ', searching…' : '; scroll for more.'}`
}
