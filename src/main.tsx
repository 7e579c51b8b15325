// Composition root: opens the shop's store (the signed-in account's, or this device's) and its
// services, renders, registers the service worker.
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { DispatchLog, InstrumentedDispatcher } from './eventstore'
import { installer, onlineStatus, registerServiceWorker, storagePersistence, valueSource } from './pwa'
import { SyncClient, type SyncWorkerOptions } from './sync'
import { BrowserAccountSession, clearMerge, databaseOf, followAccountChanges, pendingMerge, rememberedUser } from './ui/account'
import { App } from './ui/App'
import { ErrorScreen } from './ui/errors'
import { Shop } from './ui/Shop'
import { ServicesProvider, type AppServices } from './ui/ShopContext'
import { shopSync } from './worker/shopSync'

const root = document.getElementById('root')
if (!root) throw new Error('index.html has no #root element')
const reactRoot = createRoot(root)
const updates = registerServiceWorker()

try {
  const dispatches = new DispatchLog()
  const outdated = valueSource(false)
  const online = onlineStatus()
  const user = rememberedUser()
  const workerOptions: SyncWorkerOptions = user ? { sync: { userId: user.id } } : {}
  const shop = await Shop.open({
    database: databaseOf(user),
    ...(user ? { shopperId: user.id, sync: (store) => new SyncClient(store, { syncs: shopSync.syncs, online: { get: online.getSnapshot, subscribe: online.subscribe } }) } : {}),
    workerOptions,
    instrument: (dispatcher) => new InstrumentedDispatcher(dispatcher, dispatches),
    onVersionChange: () => outdated.set(true),
  })
  followAccountChanges()
  if (user) {
    // Signed in from a signed-out cart: its lines join the account's current cart.
    const merge = pendingMerge(user)
    if (merge) {
      clearMerge()
      for (const line of merge.lines) await shop.addItem(line.itemId, line.quantity).catch((error: unknown) => console.warn('A line of the signed-out cart could not be added:', error))
    }
  }
  const services: AppServices = {
    shop,
    online,
    storage: storagePersistence(),
    installer: installer(),
    updates,
    dispatches,
    outdated,
    account: new BrowserAccountSession({ user, shop }),
    sync: shop.sync,
  }
  reactRoot.render(
    <StrictMode>
      <ServicesProvider value={services}>
        <App />
      </ServicesProvider>
    </StrictMode>,
  )
} catch (error) {
  // The store could not open (storage blocked, a newer version open in another tab…).
  reactRoot.render(<ErrorScreen error={error} onRetry={() => window.location.reload()} />)
}
