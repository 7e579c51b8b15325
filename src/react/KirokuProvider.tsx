import { createContext, useContext, type ReactNode } from 'react'
import type { EventStore } from '../eventstore'

const StoreContext = createContext<EventStore | null>(null)

export interface KirokuProviderProps {
  store: EventStore
  children?: ReactNode
}

/** Makes an open store available to the hooks below it. Opening and closing it stay the app's job. */
export function KirokuProvider({ store, children }: KirokuProviderProps) {
  return <StoreContext.Provider value={store}>{children}</StoreContext.Provider>
}

/** The store of the nearest KirokuProvider. */
export function useStore(): EventStore {
  const store = useContext(StoreContext)
  if (!store) throw new Error('useStore needs a <KirokuProvider store={store}> above it.')
  return store
}
