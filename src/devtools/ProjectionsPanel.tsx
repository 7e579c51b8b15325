import { useCallback, useId, useSyncExternalStore } from 'react'
import type { ProjectionState, ProjectionStatus } from '../eventstore'
import type { ProjectionsSource } from './types'
import { ScrollX } from './ScrollX'

const STATE_LABEL: Record<ProjectionState, string> = {
  starting: 'starting',
  idle: 'up to date',
  'catching-up': 'catching up',
  retrying: 'retrying',
  stopped: 'stopped',
  rebuilding: 'rebuilding',
}

interface ProjectionsPanelProps {
  projections: ProjectionsSource | undefined
  onSelectEvent: (eventId: string) => void
}

/** Each deferred projection: where it is in the log, how far behind, whether it stopped and why. */
export function ProjectionsPanel({ projections, onSelectEvent }: ProjectionsPanelProps) {
  const id = useId()
  return (
    <section className="kd-projections" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Projections</h3>
      {projections ? <Table source={projections} onSelectEvent={onSelectEvent} /> : <p>No projections are connected: pass the app’s projection runner as the panel’s <code>projections</code>.</p>}
    </section>
  )
}

function Table({ source, onSelectEvent }: { source: ProjectionsSource; onSelectEvent: (eventId: string) => void }) {
  const subscribe = useCallback((listener: () => void) => source.subscribe(listener), [source])
  const { projections } = useSyncExternalStore(subscribe, () => source.getSnapshot())
  if (projections.length === 0) return <p>No projection has reported yet.</p>
  return (
    <ScrollX label="Projections">
      <table className="kd-table">
        <thead>
          <tr>
            <th scope="col">Projection</th>
            <th scope="col">Status</th>
            <th scope="col">Checkpoint</th>
            <th scope="col">Head</th>
            <th scope="col">Lag</th>
            <th scope="col">Progress</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {projections.map((p) => (
            <Row key={p.name} projection={p} source={source} onSelectEvent={onSelectEvent} />
          ))}
        </tbody>
      </table>
    </ScrollX>
  )
}

function Row({ projection: p, source, onSelectEvent }: { projection: ProjectionStatus; source: ProjectionsSource; onSelectEvent: (eventId: string) => void }) {
  const progress = p.state === 'rebuilding' && p.progress ? p.progress : { done: p.checkpoint, total: p.head }
  const label = p.state === 'rebuilding' ? `Rebuild of ${p.name}` : `${p.name} caught up`
  return (
    <tr className={p.state === 'stopped' ? 'kd-failed' : undefined}>
      <th scope="row">{p.name}</th>
      <td>
        {STATE_LABEL[p.state] ?? p.state}
        {p.attempts > 0 && p.state !== 'stopped' && ` (try ${p.attempts + 1})`}
        {p.failure && (
          <div className="kd-error">
            {p.state === 'stopped' ? 'Stopped at' : 'Failing at'} event{' '}
            <button type="button" className="kd-link" onClick={() => onSelectEvent((p.failure as { eventId: string }).eventId)}>
              {p.failure.eventId}
            </button>{' '}
            (#{p.failure.position}): {p.failure.error.name}: {p.failure.error.message}
          </div>
        )}
      </td>
      <td>{p.checkpoint}</td>
      <td>{p.head}</td>
      <td>{p.lag}</td>
      <td>
        <progress max={Math.max(progress.total, 1)} value={Math.min(progress.done, Math.max(progress.total, 1))} aria-label={label}>
          {progress.done} of {progress.total}
        </progress>{' '}
        {progress.done}/{progress.total}
      </td>
      <td>
        <button type="button" onClick={() => source.rebuild(p.name)} disabled={p.state === 'rebuilding'} aria-label={`Rebuild ${p.name}`}>
          Rebuild
        </button>
        {p.state === 'stopped' && (
          <button type="button" onClick={() => source.retry(p.name)} aria-label={`Retry ${p.name}`}>
            Retry
          </button>
        )}
      </td>
    </tr>
  )
}
