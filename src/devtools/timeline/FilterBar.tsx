import { useId, useState } from 'react'
import { NO_FILTER, isFiltered, type TimelineFilter } from './filter'
import type { EventTypes } from './useEventTypes'

interface FilterBarProps {
  filter: TimelineFilter
  onChange: (filter: TimelineFilter) => void
  eventTypes: EventTypes
}

/**
 * The timeline's filters; each control is labelled, and they combine. The ones used most are
 * always shown; correlation and time range sit behind "More filters", open whenever one is set.
 */
export function FilterBar({ filter, onChange, eventTypes }: FilterBarProps) {
  const id = useId()
  const set = (key: keyof TimelineFilter) => (event: { target: { value: string } }) => onChange({ ...filter, [key]: event.target.value })
  const types = eventTypes.types.includes(filter.type) || !filter.type ? eventTypes.types : [filter.type, ...eventTypes.types]
  const moreSet = [filter.correlationId, filter.from, filter.to].filter(Boolean).length
  const [open, setOpen] = useState(false)
  // A filter set from elsewhere (a correlation id picked in the detail) opens them.
  const [seen, setSeen] = useState(moreSet)
  if (seen !== moreSet) {
    setSeen(moreSet)
    if (moreSet > seen) setOpen(true)
  }
  const shown = open || moreSet > 0
  return (
    <form className="kd-filters" role="search" aria-label="Filter events" onSubmit={(event) => event.preventDefault()}>
      <div className="kd-field">
        <label htmlFor={`${id}-stream`}>Stream</label>
        <input id={`${id}-stream`} type="text" value={filter.stream} onChange={set('stream')} placeholder="any" spellCheck={false} autoComplete="off" />
      </div>
      <div className="kd-field">
        <label htmlFor={`${id}-type`}>Event type</label>
        <select id={`${id}-type`} value={filter.type} onChange={set('type')} aria-busy={!eventTypes.complete}>
          <option value="">any{eventTypes.complete ? '' : ' (still reading types…)'}</option>
          {types.map((type) => (
            <option key={type} value={type}>
              {type}
            </option>
          ))}
        </select>
      </div>
      <div className="kd-field kd-field--wide">
        <label htmlFor={`${id}-text`}>Text in data</label>
        <input id={`${id}-text`} type="search" value={filter.text} onChange={set('text')} placeholder="e.g. a product id" spellCheck={false} autoComplete="off" />
      </div>
      <div className="kd-filters__buttons">
        <button type="button" aria-expanded={shown} aria-controls={`${id}-more`} onClick={() => setOpen(!shown)} disabled={moreSet > 0}>
          {moreSet > 0 ? `More filters (${moreSet} set)` : 'More filters'}
        </button>
        <button type="button" onClick={() => onChange(NO_FILTER)} disabled={!isFiltered(filter)}>
          Clear filters
        </button>
      </div>
      <div className="kd-filters__more" id={`${id}-more`} hidden={!shown}>
        <div className="kd-field kd-field--wide">
          <label htmlFor={`${id}-correlation`}>Correlation id</label>
          <input id={`${id}-correlation`} type="text" value={filter.correlationId} onChange={set('correlationId')} placeholder="any" spellCheck={false} autoComplete="off" />
        </div>
        <div className="kd-field kd-field--date">
          <label htmlFor={`${id}-from`}>From</label>
          <input id={`${id}-from`} type="datetime-local" step="1" value={filter.from} onChange={set('from')} />
        </div>
        <div className="kd-field kd-field--date">
          <label htmlFor={`${id}-to`}>To</label>
          <input id={`${id}-to`} type="datetime-local" step="1" value={filter.to} onChange={set('to')} />
        </div>
      </div>
    </form>
  )
}
