import { dateTime, yen } from '../format'
import { hrefOf } from '../router'
import { useServerOrders, type ServerOrder } from '../serverOrders'
import { useOrders } from '../ShopContext'

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

export function OrdersScreen() {
  const { loaded, orders } = useOrders((o) => o)
  const server = useServerOrders()
  const onServer = new Set(server?.map((order) => order.id))
  const onlyOnServer = server?.filter((order) => !orders.some((local) => local.orderId === order.id)) ?? []
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
      {orders.some((order) => order.status === 'draft') && <p className="hint">A draft order is placed but not confirmed yet: open it to check it and complete it.</p>}
      <OnlyOnServer orders={onlyOnServer} />
    </section>
  )
}
