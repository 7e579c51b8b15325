import { useCallback, useEffect, useState } from 'react'
import { Order, productById } from '../../domain'
import { useUnexpectedError } from '../errors'
import { yen } from '../format'
import { hrefOf } from '../router'
import { useShop } from '../ShopContext'
import { useCommand } from '../useCommand'

interface Loaded {
  status: Order['status']
  lines: Order['lines']
  total: number
}

/** One order, read from its own stream (so it shows at once, before the orders list catches up). */
export function OrderScreen({ orderId }: { orderId: string }) {
  const shop = useShop()
  const unexpected = useUnexpectedError()
  const [order, setOrder] = useState<Loaded | null>(null)
  const load = useCallback(async () => {
    const o = await shop.repository.load(Order, orderId)
    setOrder({ status: o.status, lines: o.lines, total: o.total })
  }, [shop, orderId])
  useEffect(() => {
    load().catch(unexpected)
    return shop.store.onCommit(() => void load().catch(unexpected))
  }, [load, shop, unexpected])
  const [complete, { busy, error }] = useCommand(async () => {
    await shop.completeOrder(orderId)
    await load()
  }, unexpected)

  if (!order) return <p>Loading the order…</p>
  if (order.status === 'none') {
    return (
      <section aria-labelledby="order-title">
        <h1 id="order-title">Order not found</h1>
        <p>
          There is no order #{orderId.slice(0, 8)} on this device. <a href={hrefOf({ screen: 'orders' })}>See all orders</a>.
        </p>
      </section>
    )
  }
  return (
    <section aria-labelledby="order-title">
      <h1 id="order-title">Order #{orderId.slice(0, 8)}</h1>
      <p>
        Status: <span className={`badge ${order.status}`} data-testid="order-status">{order.status}</span>
      </p>
      <ul className="order-lines">
        {order.lines.map((line) => (
          <li key={line.itemId}>
            {line.quantity} × {productById(line.itemId)?.name ?? line.itemId} — {yen(line.quantity * line.price)}
          </li>
        ))}
      </ul>
      <p className="total">Total {yen(order.total)}</p>
      {order.status === 'draft' && (
        <button type="button" className="primary" onClick={() => void complete()} disabled={busy}>
          Complete order
        </button>
      )}
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      <p>
        <a href={hrefOf({ screen: 'orders' })}>All orders</a>
      </p>
    </section>
  )
}
