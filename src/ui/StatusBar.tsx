import { useProjections, useServices, useValue } from './ShopContext'

const persistenceText = {
  unknown: 'Saved on this device.',
  persistent: 'Saved on this device; the browser will keep it.',
  'best-effort': 'Saved on this device; the browser may clear it if space runs low.',
  unsupported: 'Saved on this device.',
} as const

export function StatusBar() {
  const { online, storage, installer, updates, outdated } = useServices()
  const isOutdated = useValue(outdated)
  const isOnline = useValue(online)
  const persistence = useValue(storage)
  const canInstall = useValue(installer)
  const { updateReady, offlineReady } = useValue(updates)
  const rebuilding = useProjections().projections.find((p) => p.state === 'rebuilding' && p.progress)
  return (
    <div className="status-bar">
      <p className={`connection ${isOnline ? 'online' : 'offline'}`} role="status">
        <span className="dot" aria-hidden="true" />
        {isOnline ? (offlineReady ? 'Online, and ready to work offline. ' : 'Online. ') : 'Offline — the shop keeps working. '}
        {persistenceText[persistence]}
      </p>
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
      {canInstall && (
        <button type="button" onClick={() => void installer.install()}>
          Install the app
        </button>
      )}
    </div>
  )
}
