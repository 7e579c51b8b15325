import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { Order, productById } from '../../domain'
import { streamOf } from '../../eventstore'
import { useStreamVersion } from '../../react'
import { useUnexpectedError } from '../errors'
import { yen } from '../format'
import { hrefOf } from '../router'
import { useShop } from '../ShopContext'
import { useShopCommand } from '../useShopCommand'

interface Loaded {
  status: Order['status']
  lines: Order['lines']
  total: number
}

/**
 * One order, read from its own stream (so it shows at once, before the orders list catches up),
 * and read again whenever the stream moves on: in this tab, or in another one.
 */
export function OrderScreen({ orderId }: { orderId: string }) {
  const shop = useShop()
  const unexpected = useUnexpectedError()
  const [order, setOrder] = useState<Loaded | null>(null)
  // Loads may overlap (a commit, then the button's own reload): the latest one's answer shows.
  const latestLoad = useRef(0)
  const load = useCallback(async () => {
    const id = ++latestLoad.current
    const o = await shop.repository.load(Order, orderId)
    if (id === latestLoad.current) setOrder({ status: o.status, lines: o.lines, total: o.total })
  }, [shop, orderId])
  const otherTabs = useMemo(() => ({ subscribe: (listener: () => void) => shop.projections.onRemoteCommit(() => listener()) }), [shop])
  const version = useStreamVersion(streamOf(Order, orderId), { changes: otherTabs })
  useEffect(() => {
    if (version !== undefined) load().catch(unexpected)
  }, [load, version, unexpected])
  const { run: complete, pending, error } = useShopCommand(async () => {
    await shop.completeOrder(orderId)
    await load()
  })

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
        <button type="button" className="primary" onClick={() => void complete()} disabled={pending}>
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
