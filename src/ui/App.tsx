import { DevtoolsToggle } from './DevtoolsDrawer'
import { ErrorBoundary } from './errors'
import { hrefOf, inPageLink, parseRoute, useHash, type Route } from './router'
import { CartScreen } from './screens/CartScreen'
import { CatalogScreen } from './screens/CatalogScreen'
import { OrderScreen } from './screens/OrderScreen'
import { OrdersScreen } from './screens/OrdersScreen'
import { useCart } from './ShopContext'
import { StatusBar } from './StatusBar'
import './app.css'

import { useDevtools } from './useDevtools'

// The devtools load only when opened: the shop's first screen does not pay for them.
function DevtoolsRoute() {
  const DevtoolsScreen = useDevtools('default')
  return DevtoolsScreen ? <DevtoolsScreen /> : <p>Loading the devtools…</p>
}

function Screen({ route }: { route: Route }) {
  switch (route.screen) {
    case 'catalog':
      return <CatalogScreen />
    case 'cart':
      return <CartScreen />
    case 'orders':
      return <OrdersScreen />
    case 'order':
      return <OrderScreen orderId={route.orderId} />
    case 'devtools':
      return <DevtoolsRoute />
  }
}

function Nav({ current }: { current: Route['screen'] }) {
  const count = useCart((c) => c.itemCount)
  const link = (route: Route, label: string, extra?: string) => (
    <li>
      <a href={hrefOf(route)} aria-current={current === route.screen || (route.screen === 'orders' && current === 'order') ? 'page' : undefined}>
        {label}
        {extra}
      </a>
    </li>
  )
  return (
    <nav aria-label="Main">
      <ul>
        {link({ screen: 'catalog' }, 'Shop')}
        {link({ screen: 'cart' }, 'Cart', count > 0 ? ` (${count})` : '')}
        {link({ screen: 'orders' }, 'Orders')}
        {link({ screen: 'devtools' }, 'Devtools page')}
      </ul>
    </nav>
  )
}

export function App() {
  const route = parseRoute(useHash())
  return (
    <>
      <a className="skip-link" {...inPageLink('main')}>
        Skip to content
      </a>
      <header className="app-header">
        <a className="brand" href="#/">
          記録 Kiroku shop
        </a>
        <Nav current={route.screen} />
        <DevtoolsToggle />
      </header>
      <StatusBar />
      <main id="main" tabIndex={-1}>
        <ErrorBoundary key={route.screen}>
          <Screen route={route} />
        </ErrorBoundary>
      </main>
    </>
  )
}
