import { useEffect, useState } from 'react'
import { dateTime, yen } from '../format'
import { hrefOf } from '../router'
import { useServerOrders, type ServerOrder } from '../serverOrders'
import { useOrders, useShop } from '../ShopContext'

/** Orders the server holds that this device has not pulled yet (it shows them as soon as it has). */
function OnlyOnServer({ orders }: { orders: readonly ServerOrder[] }) {
  if (orders.length === 0) return null
  return (
    <section aria-labelledby="server-orders-title">
      <h2 id="server-orders-title">On your account, not on this device yet</h2>
      <ul>
        {orders.map((order) => (
          <li key={order.id}>
            #{order.id.slice(0, 8)} · {dateTime(new Date(order.placedAt))} · {yen(order.total)} · {order.status}
          </li>
        ))}
      </ul>
    </section>
  )
}

/**
 * The server's orders this device does not hold: asked of the whole orders table, as the list
 * shows only the newest page. Empty until known.
 */
function useOnlyOnServer(server: readonly ServerOrder[] | null, ordersShown: unknown): ServerOrder[] {
  const shop = useShop()
  const [missing, setMissing] = useState<ServerOrder[]>([])
  useEffect(() => {
    if (!server?.length) {
      setMissing([])
      return
    }
    let current = true
    shop.storedOrderIds(server.map((order) => order.id)).then(
      (stored) => current && setMissing(server.filter((order) => !stored.has(order.id))),
      // The store closed meanwhile (a sign-out): nothing to say.
      () => undefined,
    )
    return () => {
      current = false
    }
    // The orders read model moved on (a pull landed): ask again.
  }, [shop, server, ordersShown])
  return missing
}

export function OrdersScreen() {
  const shop = useShop()
  const { loaded, orders, more } = useOrders((o) => o)
  const server = useServerOrders()
  const onServer = new Set(server?.map((order) => order.id))
  const onlyOnServer = useOnlyOnServer(server, orders)
  const [showingMore, setShowingMore] = useState(false)
  const showMore = () => {
    setShowingMore(true)
    // A failed read (the store closed meanwhile) leaves the list as it was.
    const done = () => setShowingMore(false)
    shop.showMoreOrders().then(done, done)
  }
  return (
    <section aria-labelledby="orders-title">
      <h1 id="orders-title">Orders</h1>
      {!loaded ? (
        <p>Loading your orders…</p>
      ) : orders.length === 0 ? (
        <p>No orders yet. Check out a cart and it shows up here.</p>
      ) : (
        <table className="orders responsive">
          <caption className="visually-hidden">Your orders, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Order</th>
              <th scope="col">Placed</th>
              <th scope="col" className="number">Items</th>
              <th scope="col" className="number">Total</th>
              <th scope="col">Status</th>
              {server && <th scope="col">Account</th>}
            </tr>
          </thead>
          <tbody>
            {orders.map((order) => (
              <tr key={order.orderId}>
                <th scope="row">
                  <a href={hrefOf({ screen: 'order', orderId: order.orderId })}>#{order.orderId.slice(0, 8)}</a>
                </th>
                <td data-label="Placed">{dateTime(order.placedAt)}</td>
                <td className="number" data-label="Items">
                  {order.itemCount}
                </td>
                <td className="number" data-label="Total">
                  {yen(order.total)}
                </td>
                <td data-label="Status">
                  <span className={`badge ${order.status}`}>{order.status}</span>
                </td>
                {server && <td data-label="Account">{onServer.has(order.orderId) ? 'stored on the server' : 'not on the server yet'}</td>}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {more && (
        <p>
          <button type="button" onClick={showMore} disabled={showingMore}>
            Show older orders
          </button>
        </p>
      )}
      {orders.some((order) => order.status === 'draft') && <p className="hint">A draft order is placed but not confirmed yet: open it to check it and complete it.</p>}
      <OnlyOnServer orders={onlyOnServer} />
    </section>
  )
}
