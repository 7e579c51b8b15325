import { useSyncExternalStore, type MouseEvent } from 'react'

/** The screens, addressed by the URL hash so any of them reloads and works offline. */
export type Route =
  | { screen: 'catalog' }
  | { screen: 'cart' }
  | { screen: 'orders' }
  | { screen: 'order'; orderId: string }
  | { screen: 'devtools'; section?: 'sync' }
  | { screen: 'account' }

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#\/?/, '')
  const [first, second] = path.split('/')
  if (first === 'cart') return { screen: 'cart' }
  if (first === 'orders' && second) return { screen: 'order', orderId: decodeURIComponent(second) }
  if (first === 'orders') return { screen: 'orders' }
  if (first === 'devtools') return second === 'sync' ? { screen: 'devtools', section: 'sync' } : { screen: 'devtools' }
  if (first === 'account') return { screen: 'account' }
  return { screen: 'catalog' }
}

export function hrefOf(route: Route): string {
  if (route.screen === 'order') return `#/orders/${encodeURIComponent(route.orderId)}`
  if (route.screen === 'devtools' && route.section) return `#/devtools/${route.section}`
  return route.screen === 'catalog' ? '#/' : `#/${route.screen}`
}

export function navigate(route: Route): void {
  window.location.hash = hrefOf(route)
}

const subscribe = (listener: () => void) => {
  window.addEventListener('hashchange', listener)
  return () => window.removeEventListener('hashchange', listener)
}

export function useHash(): string {
  return useSyncExternalStore(subscribe, () => window.location.hash)
}

/**
 * A link to an element of the screen shown (a skip link). The hash is the router's, so following
 * `#id` would leave the screen: the link moves the focus there instead and keeps the URL.
 */
export function inPageLink(id: string): { href: string; onClick: (event: MouseEvent<HTMLAnchorElement>) => void } {
  return {
    href: `#${id}`,
    onClick: (event) => {
      // A new tab or window (a modified click) gets the plain link.
      if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return
      const target = document.getElementById(id)
      if (!target) return
      event.preventDefault()
      target.focus()
    },
  }
}
