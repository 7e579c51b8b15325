import { useId, useState } from 'react'
import type { AggregateType, EventStore } from '../../eventstore'
import { toText } from '../format'
import { useAsync } from '../useAsync'
import { ValueTree } from '../ValueTree'
import type { Change } from './diff'
import { eventAt, replayTo } from './replay'

interface TimeTravelProps {
  store: EventStore
  Type: AggregateType
  stream: string
  /** The selected event's position in the stream. */
  position: number
  onSelect: (eventId: string) => void
}

/** The aggregate as of the selected event, what that event changed, and a way to step through its stream. */
export function TimeTravel({ store, Type, stream, position, onSelect }: TimeTravelProps) {
  const id = useId()
  const replayed = useAsync(() => replayTo(store, Type, stream, position), [store, Type, stream, position])
  const [moving, setMoving] = useState<string | null>(null)
  const go = async (to: number) => {
    setMoving(null)
    const event = await eventAt(store, stream, to).catch(() => undefined)
    if (event) onSelect(event.eventId)
    else setMoving(`There is no event at position ${to} of ${stream} any more.`)
  }
  const version = replayed.status === 'done' ? replayed.value.version : position
  return (
    <section className="kd-travel" aria-labelledby={`${id}-title`}>
      <h4 id={`${id}-title`}>
        Time travel: {stream} after position {position}
      </h4>
      <div className="kd-travel__controls">
        <button type="button" onClick={() => void go(position - 1)} disabled={position <= 0}>
          Previous event
        </button>
        {/* The heading names the stream already: the label is for screen readers. */}
        <label htmlFor={`${id}-position`} className="kd-visually-hidden">
          Position in {stream}
        </label>
        <input
          id={`${id}-position`}
          type="range"
          min={0}
          max={Math.max(version, position)}
          value={position}
          onChange={(event) => void go(Number(event.target.value))}
          aria-valuetext={`${position} of ${version}`}
        />
        <output htmlFor={`${id}-position`}>
          {position} / {version}
        </output>
        <button type="button" onClick={() => void go(position + 1)} disabled={position >= version}>
          Next event
        </button>
      </div>
      {moving && <p className="kd-error">{moving}</p>}
      {replayed.status === 'loading' && <p role="status">Replaying {stream}…</p>}
      {replayed.status === 'failed' && <p className="kd-error">The stream could not be replayed: {replayed.error}</p>}
      {replayed.status === 'done' && (
        <div className="kd-travel__body">
          <div>
            <h5>Changed by this event</h5>
            <Changes changes={replayed.value.changes} />
          </div>
          <div>
            <h5>State</h5>
            <ValueTree value={replayed.value.state} label={`State of ${stream} after position ${position}`} openDepth={3} />
          </div>
        </div>
      )}
    </section>
  )
}

function Changes({ changes }: { changes: readonly Change[] }) {
  if (changes.length === 0) return <p>Nothing: the state is the same as before.</p>
  return (
    <ul className="kd-changes" aria-label="Changes from the previous event">
      {changes.map((change, i) => (
        <li key={i} className={`kd-change kd-change--${change.kind}`}>
          <span className="kd-change__path">{change.path || '(the whole state)'}</span>{' '}
          {change.kind === 'added' && `added: ${toText(change.after, 200)}`}
          {change.kind === 'removed' && `removed (was ${toText(change.before, 200)})`}
          {change.kind === 'changed' && `${toText(change.before, 200)} → ${toText(change.after, 200)}`}
        </li>
      ))}
    </ul>
  )
}
