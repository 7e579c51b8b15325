// The devtools panel over the shop's store: loaded only when opened (as a page or the drawer).
import { useCallback, useMemo } from 'react'
import { Cart, Order, Shopper } from '../../domain'
import { DevtoolsPanel, type DevtoolsTab } from '../../devtools'
import { parseRoute, useHash } from '../router'
import { useServices, useSync } from '../ShopContext'

const aggregates = [Cart, Order, Shopper]

export function ShopDevtools({ initialTab }: { initialTab?: DevtoolsTab }) {
  const { shop, dispatches, sync } = useServices()
  const view = useSync()
  const syncNow = useCallback(() => sync?.syncNow(), [sync])
  const changes = useMemo(() => ({ subscribe: (listener: () => void) => shop.projections.onRemoteCommit(() => listener()) }), [shop])
  return (
    <DevtoolsPanel
      store={shop.store}
      changes={changes}
      aggregates={aggregates}
      projections={shop.projections}
      dispatches={dispatches}
      sync={view}
      syncNow={sync ? syncNow : undefined}
      initialTab={initialTab}
    />
  )
}

export default function DevtoolsScreen() {
  // #/devtools/sync opens on the Sync tab (the sync indicator's link when something went wrong).
  const route = parseRoute(useHash())
  const initialTab = route.screen === 'devtools' && route.section === 'sync' ? 'sync' : undefined
  return (
    <section aria-labelledby="devtools-title" className="devtools-page">
      <h1 id="devtools-title">Devtools</h1>
      <ShopDevtools key={initialTab} initialTab={initialTab} />
    </section>
  )
}
