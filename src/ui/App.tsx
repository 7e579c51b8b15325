import { DevtoolsToggle } from './DevtoolsDrawer'
import { ErrorBoundary } from './errors'
import { hrefOf, inPageLink, parseRoute, useHash, type Route } from './router'
import { CartScreen } from './screens/CartScreen'
import { CatalogScreen } from './screens/CatalogScreen'
import { OrderScreen } from './screens/OrderScreen'
import { AccountScreen } from './screens/AccountScreen'
import { OrdersScreen } from './screens/OrdersScreen'
import { useAccount, useCart } from './ShopContext'
import { AppNotices, ConnectionIndicator, InstallButton } from './ShopState'
import { SyncIndicator } from './SyncIndicator'
import { SyncNotice } from './SyncNotice'
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
    case 'account':
      return <AccountScreen />
  }
}

/** The shoppers' navigation: the shop, the cart (with its count, always in view) and the orders. */
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
      </ul>
    </nav>
  )
}

/** Who is signed in (a link to the account screen) and how sync is doing. */
function AccountStatus({ current }: { current: Route['screen'] }) {
  const { user } = useAccount()
  return (
    <div className="account-status">
      <SyncIndicator />
      <a className="account-link" href={hrefOf({ screen: 'account' })} aria-current={current === 'account' ? 'page' : undefined}>
        {user ? (
          <>
            <span className="visually-hidden">Signed in as </span>
            {user.email}
          </>
        ) : (
          'Sign in'
        )}
      </a>
    </div>
  )
}

/** Below every screen: installing the app, and the developers' way into the event log. */
function Footer() {
  return (
    <footer className="app-footer">
      <InstallButton />
      <div className="dev-entry">
        For developers: the <a href={hrefOf({ screen: 'devtools' })}>Devtools page</a>, or <DevtoolsToggle /> over any screen (Alt+Shift+D).
      </div>
    </footer>
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
          <img src="/icons/icon.svg" alt="" width={28} height={28} />
          <span lang="ja" className="brand-mark">
            記録
          </span>{' '}
          Kiroku shop
        </a>
        <div className="header-status">
          <ConnectionIndicator />
          <AccountStatus current={route.screen} />
        </div>
        <Nav current={route.screen} />
      </header>
      <AppNotices />
      <SyncNotice />
      <main id="main" tabIndex={-1}>
        <ErrorBoundary key={route.screen}>
          <Screen route={route} />
        </ErrorBoundary>
      </main>
      <Footer />
    </>
  )
}
