// The account's order history as the server's own read model has it (GET /api/orders): the orders
// screen shows which orders the server holds, and any it holds that this device has not pulled yet.
import { useEffect, useState } from 'react'
import { apiCaller } from '../sync'
import { useServices, useSync } from './ShopContext'

export interface ServerOrder {
  id: string
  status: 'placed' | 'completed'
  lines: Array<{ itemId: string; quantity: number; price: number }>
  subtotal: number
  discount: number
  total: number
  placedAt: string
  completedAt: string | null
}

const call = apiCaller()

/** The server's orders for the signed-in user, read again whenever sync settles; null when signed out, offline or not read yet. */
export function useServerOrders(): ServerOrder[] | null {
  const signedIn = useServices().account.user !== null
  const sync = useSync()
  const settledAt = sync?.state === 'synced' ? sync.status.head : null
  const [orders, setOrders] = useState<ServerOrder[] | null>(null)
  useEffect(() => {
    if (!signedIn || settledAt === null) return
    let current = true
    const read = () =>
      call<{ orders: ServerOrder[] }>('/api/orders').then(
        (answer) => current && setOrders(answer.orders),
        // Unreachable or signed out meanwhile: what was read last stays (or nothing).
        () => undefined,
      )
    void read()
    // The server's read model follows its log a moment after a push: read again while shown.
    const timer = setInterval(() => void read(), 5000)
    return () => {
      current = false
      clearInterval(timer)
    }
  }, [signedIn, settledAt])
  return signedIn ? orders : null
}
