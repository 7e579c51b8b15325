import { Workbox } from 'workbox-window'
import { valueSource, type ValueSource } from './ValueSource'

export interface ServiceWorkerState {
  /** A new version is installed and waits for the user to reload. */
  updateReady: boolean
  /** The app shell is cached: the app opens with no network. */
  offlineReady: boolean
}

export interface AppUpdates extends ValueSource<ServiceWorkerState> {
  /** Activates the waiting version and reloads the page once it controls it. */
  reload(): void
}

/** Registers the service worker (built by vite-plugin-pwa) through workbox-window. */
export function registerServiceWorker(url = '/sw.js'): AppUpdates {
  const source = valueSource<ServiceWorkerState>({ updateReady: false, offlineReady: false })
  const set = (patch: Partial<ServiceWorkerState>) => source.set({ ...source.getSnapshot(), ...patch })
  const supported = 'serviceWorker' in navigator && import.meta.env.PROD
  const workbox = supported ? new Workbox(url) : null
  if (workbox) {
    workbox.addEventListener('waiting', () => set({ updateReady: true }))
    workbox.addEventListener('activated', (event) => {
      if (!event.isUpdate) set({ offlineReady: true })
    })
    workbox.addEventListener('controlling', (event) => {
      if (event.isUpdate) window.location.reload()
    })
    void workbox.register().then((registration) => {
      if (registration?.active) set({ offlineReady: true })
    })
  }
  return {
    ...source,
    reload() {
      if (workbox) workbox.messageSkipWaiting()
      else window.location.reload()
    },
  }
}
