import { dateTime, yen } from '../format'
import { hrefOf } from '../router'
import { useOrders } from '../ShopContext'

export function OrdersScreen() {
  const { loaded, orders } = useOrders((o) => o)
  return (
    <section aria-labelledby="orders-title">
      <h1 id="orders-title">Orders</h1>
      {!loaded ? (
        <p>Loading your orders…</p>
      ) : orders.length === 0 ? (
        <p>No orders yet. Check out a cart and it shows up here.</p>
      ) : (
        <table className="orders">
          <caption className="visually-hidden">Your orders, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Order</th>
              <th scope="col">Placed</th>
              <th scope="col" className="number">Items</th>
              <th scope="col" className="number">Total</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {orders.map((order) => (
              <tr key={order.orderId}>
                <th scope="row">
                  <a href={hrefOf({ screen: 'order', orderId: order.orderId })}>#{order.orderId.slice(0, 8)}</a>
                </th>
                <td>{dateTime(order.placedAt)}</td>
                <td className="number">{order.itemCount}</td>
                <td className="number">{yen(order.total)}</td>
                <td>
                  <span className={`badge ${order.status}`}>{order.status}</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}
