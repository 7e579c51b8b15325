import { useId, useState } from 'react'
import type { EventStore, RecordedEvent } from '../../eventstore'
import { useAsync } from '../useAsync'
import { correlationTree, findRelated, type CorrelationNode } from './related'

interface RelationsProps {
  store: EventStore
  event: RecordedEvent
  onSelect: (eventId: string) => void
  onShowCorrelation: (correlationId: string) => void
}

/** Cause, consequences and the whole correlation as a tree by causation. */
export function Relations({ store, event, onSelect, onShowCorrelation }: RelationsProps) {
  const [whole, setWhole] = useState(false)
  const id = useId()
  const related = useAsync(() => findRelated(store, event, { whole }), [store, event, whole])
  if (related.status === 'loading') return <p role="status">Looking for related events…</p>
  if (related.status === 'failed') return <p className="kd-error">Related events could not be read: {related.error}</p>
  const { cause, children, correlation, complete } = related.value
  const causationId = event.metadata.causationId
  return (
    <>
      <section aria-labelledby={`${id}-cause`}>
        <h4 id={`${id}-cause`}>Caused by</h4>
        {cause ? (
          <EventLink event={cause} onSelect={onSelect} />
        ) : (
          <p>{typeof causationId === 'string' ? `Event ${causationId}, which is not in this store.` : 'Nothing: it was not published by a handler.'}</p>
        )}
      </section>
      <section aria-labelledby={`${id}-caused`}>
        <h4 id={`${id}-caused`}>Caused</h4>
        {children.length ? (
          <ul className="kd-links">
            {children.map((child) => (
              <li key={child.eventId}>
                <EventLink event={child} onSelect={onSelect} />
              </li>
            ))}
          </ul>
        ) : (
          <p>No event{complete ? '' : ' nearby'}.</p>
        )}
      </section>
      <section aria-labelledby={`${id}-correlation`}>
        <h4 id={`${id}-correlation`}>Correlation</h4>
        <p className="kd-muted">
          {correlation.length} {correlation.length === 1 ? 'event' : 'events'} share correlation id <code>{event.metadata.correlationId}</code>
          {complete ? '.' : ' among the events near this one.'}
        </p>
        <CorrelationTree nodes={correlationTree(correlation)} selectedId={event.eventId} onSelect={onSelect} />
        <div className="kd-actions">
          {!complete && (
            <button type="button" onClick={() => setWhole(true)}>
              Search the whole log
            </button>
          )}
          <button type="button" onClick={() => onShowCorrelation(event.metadata.correlationId)}>
            Show the correlation in the timeline
          </button>
        </div>
      </section>
    </>
  )
}

function CorrelationTree({ nodes, selectedId, onSelect }: { nodes: CorrelationNode[]; selectedId: string; onSelect: (eventId: string) => void }) {
  return (
    <ul className="kd-corr" aria-label="Correlation by causation">
      {nodes.map((node) => (
        <li key={node.event.eventId}>
          <EventLink event={node.event} onSelect={onSelect} current={node.event.eventId === selectedId} />
          {node.children.length > 0 && <CorrelationTree nodes={node.children} selectedId={selectedId} onSelect={onSelect} />}
        </li>
      ))}
    </ul>
  )
}

export function EventLink({ event, onSelect, current = false }: { event: RecordedEvent; onSelect: (eventId: string) => void; current?: boolean }) {
  return (
    <button type="button" className="kd-link" aria-current={current || undefined} onClick={() => onSelect(event.eventId)} data-event-id={event.eventId}>
      {event.type} <span className="kd-muted">#{event.globalPosition}</span>
    </button>
  )
}
