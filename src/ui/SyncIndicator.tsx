// The header's sync state: a role="status" element named "Sync: …" (a status takes no name from
// its text), an icon and a word on screen, and a link to what to do when sync is stuck.
import { hrefOf } from './router'
import { useSync } from './ShopContext'
import { syncLabel, syncShortText } from './syncWords'

const ICON = {
  none: '○',
  connecting: '↻',
  synced: '✓',
  waiting: '↑',
  offline: '⊘',
  problem: '⚠',
  'signed-out': '⚠',
} as const

export function SyncIndicator() {
  const view = useSync()
  const tone = view === null ? 'none' : view.state
  const label = syncLabel(view)
  return (
    <div className="sync-indicator">
      <p className={`sync-state sync-${tone}`} role="status" aria-label={label} title={label}>
        <span className="sync-icon" aria-hidden="true">
          {ICON[tone]}
        </span>{' '}
        <span className="sync-text">{syncShortText(view)}</span>
      </p>
      {view?.state === 'signed-out' && <a href={hrefOf({ screen: 'account' })}>Sign in again</a>}
      {view?.state === 'problem' && <a href={hrefOf({ screen: 'devtools', section: 'sync' })}>See what happened</a>}
    </div>
  )
}
