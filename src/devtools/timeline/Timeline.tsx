import { useVirtualizer } from '@tanstack/react-virtual'
import { useEffect, useLayoutEffect, useRef, useSyncExternalStore, type KeyboardEvent } from 'react'
import { formatTime, summarize } from '../format'
import type { TimelineModel, TimelineRow } from './TimelineModel'

export const ROW_HEIGHT = 28

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
  const virtualizer = useVirtualizer({
    count: rows.length + (exhausted ? 0 : 1),
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
    initialRect: { width: 800, height: 480 },
    getItemKey: (index) => rows[index]?.event.eventId ?? 'more',
  })
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
    if (added > 0) element.scrollTop += added * ROW_HEIGHT
  }, [firstId, rows])

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
    <div className="kd-timeline">
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
                style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}
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
  return (
    <button type="button" className="kd-row" aria-current={selected || undefined} data-event-id={event.eventId} onClick={() => onSelect(event.eventId)}>
      {/* The spaces keep the button's accessible name readable; the grid ignores them. */}
      <span className="kd-row__pos">{event.globalPosition}</span>{' '}
      <span className="kd-row__time">{formatTime(event.metadata.timestamp)}</span>{' '}
      <span className="kd-row__type">{event.type}</span>{' '}
      <span className="kd-row__streams">{streams.map((s) => `${s.stream}@${s.position}`).join(' ')}</span>{' '}
      <span className="kd-row__data">{summarize(event.data)}</span>
    </button>
  )
}

/** `scanned` is null when storage answers the whole filter (a stream, a type): every event read matches. */
function statusText(rows: number, scanned: number | null, exhausted: boolean, loading: boolean, filtered: boolean): string {
  const shown = `${rows.toLocaleString('en')} ${rows === 1 ? 'event' : 'events'}`
  if (!filtered) return exhausted ? `${shown}, the whole log.` : `${shown} loaded${loading ? ', reading more…' : '; scroll for older ones.'}`
  const looked = scanned === null ? '' : ` (${scanned.toLocaleString('en')} looked at)`
  if (exhausted) return rows ? `${shown} match${looked}.` : `No event matches${looked}.`
  return `${shown} match so far${looked}${loading ? ', searching…' : '; scroll for more.'}`
}
