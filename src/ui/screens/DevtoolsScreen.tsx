// The devtools panel over the shop's store: loaded only when opened (as a page or the drawer).
import { useMemo } from 'react'
import { Cart, Order, Shopper } from '../../domain'
import { DevtoolsPanel } from '../../devtools'
import { useServices } from '../ShopContext'

const aggregates = [Cart, Order, Shopper]

export function ShopDevtools() {
  const { shop, dispatches } = useServices()
  const changes = useMemo(() => ({ subscribe: (listener: () => void) => shop.projections.onRemoteCommit(() => listener()) }), [shop])
  return <DevtoolsPanel store={shop.store} changes={changes} aggregates={aggregates} projections={shop.projections} dispatches={dispatches} />
}

export default function DevtoolsScreen() {
  return (
    <section aria-labelledby="devtools-title">
      <h1 id="devtools-title">Devtools</h1>
      <ShopDevtools />
    </section>
  )
}
