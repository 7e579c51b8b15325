import { useId, useState } from 'react'
import type { AggregateType } from '../eventstore'
import { EventDetail } from './detail/EventDetail'
import { ImportExport } from './ImportExport'
import { ProjectionsPanel } from './ProjectionsPanel'
import { StreamsList } from './streams/StreamsList'
import { SyncPanel } from './sync'
import { NO_FILTER, isFiltered, type TimelineFilter } from './timeline/filter'
import { FilterBar } from './timeline/FilterBar'
import { Timeline } from './timeline/Timeline'
import { useEventTypes } from './timeline/useEventTypes'
import { useTimelineModel } from './timeline/useTimelineModel'
import type { DevtoolsPanelProps, DevtoolsTab as Tab } from './types'
import './devtools.css'

const TABS: ReadonlyArray<[Tab, string]> = [
  ['timeline', 'Timeline'],
  ['streams', 'Streams'],
  ['projections', 'Projections'],
  ['sync', 'Sync'],
]
const NO_AGGREGATES: readonly AggregateType[] = []

/**
 * Kiroku's devtools: the event log live, filtered, in detail, with time travel for aggregates,
 * the streams, the projections, sync (when the app syncs) and NDJSON export/import. Any app can
 * mount it with its store.
 */
export function DevtoolsPanel({ store, changes, aggregates = NO_AGGREGATES, projections, dispatches, pageSize = 100, sync, syncNow, initialTab = 'timeline' }: DevtoolsPanelProps) {
  const id = useId()
  const [tab, setTab] = useState<Tab>(initialTab)
  const [filter, setFilter] = useState<TimelineFilter>(NO_FILTER)
  const [selectedId, setSelectedId] = useState<string | null>(null)
  const model = useTimelineModel(store, filter, changes, { pageSize })
  const eventTypes = useEventTypes(store, changes)

  const select = (eventId: string) => {
    setSelectedId(eventId)
    setTab('timeline')
  }
  const showOnly = (patch: Partial<TimelineFilter>) => {
    setFilter({ ...NO_FILTER, ...patch })
    setTab('timeline')
  }

  return (
    <section className="kiroku-devtools" aria-labelledby={`${id}-title`}>
      <header className="kd-header">
        <h2 id={`${id}-title`}>Kiroku devtools</h2>
        <nav aria-label="Devtools sections">
          <ul className="kd-tabs">
            {TABS.filter(([key]) => key !== 'sync' || sync !== undefined).map(([key, label]) => (
              <li key={key}>
                <button type="button" aria-current={tab === key ? 'page' : undefined} onClick={() => setTab(key)}>
                  {label}
                </button>
              </li>
            ))}
          </ul>
        </nav>
        <ImportExport store={store} />
      </header>
      {tab === 'timeline' && (
        <>
          <FilterBar filter={filter} onChange={setFilter} eventTypes={eventTypes} />
          <div className="kd-body">
            {model ? <Timeline model={model} selectedId={selectedId} onSelect={setSelectedId} filtered={isFiltered(filter)} /> : <p role="status">Opening the log…</p>}
            <div className="kd-side">
              {selectedId ? (
                <EventDetail
                  key={selectedId}
                  store={store}
                  eventId={selectedId}
                  aggregates={aggregates}
                  dispatches={dispatches}
                  onSelect={select}
                  onShowStream={(stream) => showOnly({ stream })}
                  onShowCorrelation={(correlationId) => showOnly({ correlationId })}
                />
              ) : (
                <p className="kd-muted">Pick an event to see its data, streams, causes and state.</p>
              )}
            </div>
          </div>
        </>
      )}
      {tab === 'streams' && <StreamsList store={store} aggregates={aggregates} onOpen={(stream) => showOnly({ stream })} />}
      {tab === 'projections' && <ProjectionsPanel projections={projections} onSelectEvent={select} />}
      {tab === 'sync' && sync !== undefined && <SyncPanel view={sync} syncNow={syncNow} />}
    </section>
  )
}
