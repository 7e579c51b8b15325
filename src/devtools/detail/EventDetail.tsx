import { useId } from 'react'
import type { AggregateType, EventStore, RecordedEvent } from '../../eventstore'
import { formatTime } from '../format'
import { aggregateOf } from '../timetravel/replay'
import { TimeTravel } from '../timetravel/TimeTravel'
import type { DispatchRuns } from '../types'
import { useAsync } from '../useAsync'
import { ValueTree } from '../ValueTree'
import { HandlerRuns } from './HandlerRuns'
import { Relations } from './Relations'

interface EventDetailProps {
  store: EventStore
  eventId: string
  aggregates: readonly AggregateType[]
  dispatches: DispatchRuns | undefined
  onSelect: (eventId: string) => void
  onShowStream: (stream: string) => void
  onShowCorrelation: (correlationId: string) => void
}

/** One event: for aggregate streams time travel, then data, metadata, streams, relations and handler runs. */
export function EventDetail(props: EventDetailProps) {
  const { store, eventId } = props
  const loaded = useAsync(() => store.read.event(eventId), [store, eventId])
  if (loaded.status === 'loading') return <p role="status">Reading event {eventId}…</p>
  if (loaded.status === 'failed') return <p className="kd-error">Event {eventId} could not be read: {loaded.error}</p>
  if (!loaded.value) return <p>Event {eventId} is not in this store.</p>
  return <Loaded {...props} event={loaded.value} />
}

function Loaded({ store, event, aggregates, dispatches, onSelect, onShowStream, onShowCorrelation }: EventDetailProps & { event: RecordedEvent }) {
  const id = useId()
  const streams = useAsync(async () => {
    const names = await store.streamsOf(event.eventId)
    const positions = await Promise.all(names.map((stream) => store.positionInStream(event.eventId, stream)))
    return names.map((stream, i) => ({ stream, position: positions[i] as number }))
  }, [store, event.eventId])
  const section = (name: string) => ({ 'aria-labelledby': `${id}-${name}` })
  return (
    <article className="kd-detail" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{event.type}</h3>
      <dl className="kd-facts">
        <dt>Event id</dt>
        <dd>
          <code>{event.eventId}</code>
        </dd>
        <dt>Position</dt>
        <dd>{event.globalPosition}</dd>
        <dt>Time</dt>
        <dd>{formatTime(event.metadata.timestamp)}</dd>
      </dl>
      {/* Time travel first: the reason to open an aggregate's event, in reach without scrolling. */}
      {streams.status === 'done' &&
        streams.value.map(({ stream, position }) => {
          const Type = aggregateOf(stream, aggregates)
          return Type ? <TimeTravel key={stream} store={store} Type={Type} stream={stream} position={position} onSelect={onSelect} /> : null
        })}
      <section {...section('data')}>
        <h4 id={`${id}-data`}>Data</h4>
        <ValueTree value={event.data} label="Event data" />
      </section>
      <section {...section('metadata')}>
        <h4 id={`${id}-metadata`}>Metadata</h4>
        <ValueTree value={event.metadata} label="Event metadata" openDepth={1} />
      </section>
      <section {...section('streams')}>
        <h4 id={`${id}-streams`}>Streams</h4>
        {streams.status === 'loading' && <p role="status">Reading its streams…</p>}
        {streams.status === 'failed' && <p className="kd-error">Its streams could not be read: {streams.error}</p>}
        {streams.status === 'done' &&
          (streams.value.length === 0 ? (
            <p>None: it is in the global log only.</p>
          ) : (
            <ul className="kd-streams-of" aria-label="Streams of this event">
              {streams.value.map(({ stream, position }) => (
                <li key={stream}>
                  <button type="button" className="kd-link" onClick={() => onShowStream(stream)}>
                    {stream}
                  </button>{' '}
                  at position {position}
                </li>
              ))}
            </ul>
          ))}
      </section>
      <Relations key={event.eventId} store={store} event={event} onSelect={onSelect} onShowCorrelation={onShowCorrelation} />
      {dispatches && (
        <section {...section('handlers')}>
          <h4 id={`${id}-handlers`}>Handlers</h4>
          <HandlerRuns dispatches={dispatches} eventId={event.eventId} />
        </section>
      )}
    </article>
  )
}
