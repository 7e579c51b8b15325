import { useCallback, useSyncExternalStore } from 'react'
import type { DispatchKind } from '../../eventstore'
import { formatTime } from '../format'
import type { DispatchRuns } from '../types'
import { ScrollX } from '../ScrollX'

const KIND_LABEL: Record<DispatchKind, string> = {
  sync: 'sync (inside publish)',
  'after-commit': 'after commit',
  immediate: 'immediate (async, before commit)',
}

/** Which handlers ran for the event, how, how long, and whether they failed. */
export function HandlerRuns({ dispatches, eventId }: { dispatches: DispatchRuns; eventId: string }) {
  const subscribe = useCallback((listener: () => void) => dispatches.subscribe(listener), [dispatches])
  useSyncExternalStore(subscribe, () => dispatches.getSnapshot())
  const runs = dispatches.runsOf(eventId)
  if (runs.length === 0) return <p>No handler run was recorded for this event in this tab.</p>
  return (
    <ScrollX label="Handler runs">
      <table className="kd-table">
        <caption className="kd-visually-hidden">Handler runs</caption>
        <thead>
          <tr>
            <th scope="col">Handler</th>
            <th scope="col">Dispatcher</th>
            <th scope="col">Started</th>
            <th scope="col">Took</th>
            <th scope="col">Result</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((run, i) => (
            <tr key={i} className={run.error ? 'kd-failed' : undefined}>
              <td>{run.handler}</td>
              <td>{KIND_LABEL[run.kind] ?? run.kind}</td>
              <td>{formatTime(run.startedAt)}</td>
              <td>{`${run.duration.toFixed(1)} ms`}</td>
              <td>{run.error ? `failed: ${run.error.name}: ${run.error.message}` : 'ok'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollX>
  )
}
