// Composition root: opens the shop's store and services, renders, registers the service worker.
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { DispatchLog, InstrumentedDispatcher } from './eventstore'
import { installer, onlineStatus, registerServiceWorker, storagePersistence, valueSource } from './pwa'
import { App } from './ui/App'
import { ErrorScreen } from './ui/errors'
import { Shop } from './ui/Shop'
import { ServicesProvider, type AppServices } from './ui/ShopContext'

const DATABASE = 'kiroku-shop'

const root = document.getElementById('root')
if (!root) throw new Error('index.html has no #root element')
const reactRoot = createRoot(root)
const updates = registerServiceWorker()

try {
  const dispatches = new DispatchLog()
  const outdated = valueSource(false)
  const services: AppServices = {
    shop: await Shop.open({
      database: DATABASE,
      instrument: (dispatcher) => new InstrumentedDispatcher(dispatcher, dispatches),
      onVersionChange: () => outdated.set(true),
    }),
    online: onlineStatus(),
    storage: storagePersistence(),
    installer: installer(),
    updates,
    dispatches,
    outdated,
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
