import { useId } from 'react'
import type { SyncExchange, SyncView } from '../../sync'
import { PendingCommits } from './PendingCommits'
import { SyncReports } from './SyncReports'
import { SyncSpaces } from './SyncSpaces'
import { timeOf } from './timeOf'

export interface SyncPanelProps {
  /** The page's view of sync; null while signed out (nothing syncs). */
  view: SyncView | null
  /** Asks the engine to push and pull now. */
  syncNow?: () => void
}

const LIVE: Record<string, string> = { off: 'off', connecting: 'connecting', open: 'open', closed: 'closed (pulling every few seconds)' }

/**
 * What the sync engine is doing: the connection and live channel, the head and the cursor, the
 * shared spaces with the role in each and their heads, what waits to be pushed, the last push and pull, and every event the server did not take, with why.
 * Everything shown is text: event data never becomes markup.
 */
export function SyncPanel({ view, syncNow }: SyncPanelProps) {
  const id = useId()
  if (view === null)
    return (
      <section className="kd-sync" aria-labelledby={`${id}-title`}>
        <h3 id={`${id}-title`}>Sync</h3>
        <p>Signed out: nothing syncs. The log stays on this device until someone signs in.</p>
      </section>
    )
  const { status } = view
  return (
    <section className="kd-sync" aria-labelledby={`${id}-title`}>
      <div className="kd-sync__head">
        <h3 id={`${id}-title`}>Sync</h3>
        {syncNow && (
          <button type="button" onClick={syncNow}>
            Sync now
          </button>
        )}
      </div>
      <dl className="kd-facts" aria-label="Sync state">
        <dt>State</dt>
        <dd data-fact="state">{view.state}</dd>
        <dt>Connection</dt>
        <dd data-fact="connection">
          {status.connection}
          {view.online ? '' : ' (the browser is offline)'}
        </dd>
        <dt>Live channel</dt>
        <dd data-fact="live">{LIVE[status.live] ?? status.live}</dd>
        <dt>Head</dt>
        <dd data-fact="head">{status.head}</dd>
        <dt>Cursor</dt>
        <dd data-fact="cursor">
          {status.cursor}
          {status.head > status.cursor ? ` (${status.head - status.cursor} to pull)` : ''}
        </dd>
        <dt>Scanned</dt>
        <dd data-fact="scanned">{status.scanned}</dd>
        <dt>Waiting</dt>
        <dd data-fact="waiting">
          {view.waiting} {view.waiting === 1 ? 'change' : 'changes'} ({status.pending} pending {status.pending === 1 ? 'event' : 'events'})
        </dd>
        <dt>Problem</dt>
        <dd data-fact="problem" className={status.problem ? 'kd-error' : undefined}>
          {status.problem ? `${status.problem.code}: ${status.problem.message}` : 'none'}
        </dd>
        <dt>Next try</dt>
        <dd data-fact="retry">{status.retryAt ? timeOf(status.retryAt) : 'none due'}</dd>
        <dt>Engine</dt>
        <dd data-fact="engine">{status.engine ?? 'none has reported yet'}</dd>
      </dl>
      <h4>Last exchanges</h4>
      <dl className="kd-facts">
        <dt>Last push</dt>
        <dd data-fact="last-push">{exchangeText(status.lastPush)}</dd>
        <dt>Last pull</dt>
        <dd data-fact="last-pull">{exchangeText(status.lastPull)}</dd>
      </dl>
      <SyncSpaces spaces={status.spaces ?? []} />
      <PendingCommits commits={status.pendingCommits} />
      <SyncReports reports={status.reports} />
    </section>
  )
}

function exchangeText(exchange: SyncExchange | null): string {
  if (!exchange) return 'none yet'
  return `${timeOf(exchange.at)} · ${exchange.ok ? 'ok' : 'failed'} · ${exchange.summary}`
}
