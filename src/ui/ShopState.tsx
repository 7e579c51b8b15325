// The shop's own state, kept small: a dot and a word in the header (details on demand), notices
// only when there is something to do, and Install in the footer where it crowds nothing.
import { useEffect, useId, useState } from 'react'
import type { Persistence } from '../pwa'
import { useProjections, useServices, useValue } from './ShopContext'

/** Only the 'at-risk' answer warns: saved data is the normal case and needs no caveat. */
export const persistenceText: Record<Persistence, string> = {
  unknown: 'Your cart and orders are saved on this device.',
  persistent: 'Your cart and orders are saved on this device, and the browser has agreed to keep them.',
  'best-effort': 'Your cart and orders are saved on this device.',
  unsupported: 'Your cart and orders are saved on this device.',
  'at-risk': 'Your cart and orders are saved on this device, but it is running out of space and the browser may clear them. Signing in keeps a copy on your account.',
}

/** Online or offline in one word, with a button that shows what that means for the shopper. */
export function ConnectionIndicator() {
  const { online, storage, updates } = useServices()
  const isOnline = useValue(online)
  const persistence = useValue(storage)
  const { offlineReady } = useValue(updates)
  const [open, setOpen] = useState(false)
  const detailsId = useId()
  useEffect(() => {
    if (!open) return
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setOpen(false)
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [open])
  const atRisk = persistence === 'at-risk'
  return (
    <div className="connection-indicator">
      <p className={`connection ${isOnline ? 'online' : 'offline'}${atRisk ? ' at-risk' : ''}`} role="status">
        <span className="dot" aria-hidden="true" />
        {isOnline ? 'Online' : 'Offline'}
        {atRisk && <span className="visually-hidden">, storage running low</span>}
      </p>
      <button type="button" className="details-toggle" aria-label="Connection and storage details" aria-expanded={open} aria-controls={detailsId} onClick={() => setOpen(!open)}>
        <span aria-hidden="true">{open ? '▴' : '▾'}</span>
      </button>
      <div id={detailsId} className="status-details" hidden={!open}>
        <p>{isOnline ? (offlineReady ? 'Online, and ready to work offline.' : 'Online.') : 'Offline — the shop keeps working, and your changes are kept.'}</p>
        <p>{persistenceText[persistence]}</p>
      </div>
    </div>
  )
}

/** What needs the shopper's attention now: an update to load, read models being rebuilt. */
export function AppNotices() {
  const { updates, outdated } = useServices()
  const isOutdated = useValue(outdated)
  const { updateReady } = useValue(updates)
  const rebuilding = useProjections().projections.find((p) => p.state === 'rebuilding' && p.progress)
  if (!rebuilding?.progress && !isOutdated && !updateReady) return null
  return (
    <div className="status-bar">
      {rebuilding?.progress && (
        <div className="rebuild">
          <label htmlFor="rebuild-progress">Updating {rebuilding.name}…</label>
          <progress id="rebuild-progress" max={rebuilding.progress.total} value={rebuilding.progress.done} />
        </div>
      )}
      {isOutdated && (
        <p className="update" role="alert">
          A newer version of the shop is open in another tab. Reload this tab to go on; everything is saved.{' '}
          <button type="button" onClick={() => window.location.reload()}>
            Reload
          </button>
        </p>
      )}
      {updateReady && (
        <p className="update" role="alert">
          A new version is available.{' '}
          <button type="button" onClick={() => updates.reload()}>
            Reload
          </button>
        </p>
      )}
    </div>
  )
}

/** Shown while the browser offers to install the app. */
export function InstallButton() {
  const { installer } = useServices()
  const canInstall = useValue(installer)
  if (!canInstall) return null
  return (
    <p className="install">
      Use the shop like an app, offline too:{' '}
      <button type="button" onClick={() => void installer.install()}>
        Install the app
      </button>
    </p>
  )
}
