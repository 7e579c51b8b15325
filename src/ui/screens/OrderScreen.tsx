import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { Cart, Order, OrderPlaced, productById } from '../../domain'
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
  subtotal: number
  discount: number
  total: number
  /** The coupon the discount came from, when the cart it was checked out from is on this device. */
  coupon: string | null
}

/** What each status means to the shopper. */
const STATUS_TEXT = {
  draft: 'Not confirmed yet: check the items and the total, then complete the order to confirm it.',
  completed: 'Confirmed. Nothing more to do.',
} as const

/**
 * One order, read from its own stream (so it shows at once, before the orders list catches up),
 * and read again whenever the stream moves on: in this tab, or in another one.
 */
export function OrderScreen({ orderId }: { orderId: string }) {
  const shop = useShop()
  const unexpected = useUnexpectedError()
  const [order, setOrder] = useState<Loaded | null>(null)
  // Completed here, now: the screen thanks the shopper and offers what to do next.
  const [justCompleted, setJustCompleted] = useState(false)
  // Loads may overlap (a commit, then the button's own reload): the latest one's answer shows.
  const latestLoad = useRef(0)
  const load = useCallback(async () => {
    const id = ++latestLoad.current
    const o = await shop.repository.load(Order, orderId)
    // The aggregate keeps the total only; the event that placed the order has how it was made.
    const placed = await shop.store.read.stream(streamOf(Order, orderId)).ofType([OrderPlaced]).first()
    const cartId = placed && OrderPlaced.is(placed) ? placed.data.cartId : null
    const coupon = cartId ? (await shop.repository.load(Cart, cartId)).coupon?.code ?? null : null
    const subtotal = placed && OrderPlaced.is(placed) ? placed.data.subtotal : o.total
    const discount = placed && OrderPlaced.is(placed) ? placed.data.discount : 0
    if (id === latestLoad.current) setOrder({ status: o.status, lines: o.lines, subtotal, discount, total: o.total, coupon })
  }, [shop, orderId])
  const otherTabs = useMemo(() => ({ subscribe: (listener: () => void) => shop.projections.onRemoteCommit(() => listener()) }), [shop])
  const version = useStreamVersion(streamOf(Order, orderId), { changes: otherTabs })
  useEffect(() => {
    if (version !== undefined) load().catch(unexpected)
  }, [load, version, unexpected])
  const { run: complete, pending, error } = useShopCommand(async () => {
    await shop.completeOrder(orderId)
    await load()
    setJustCompleted(true)
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
    <section aria-labelledby="order-title" className="order">
      <h1 id="order-title">Order #{orderId.slice(0, 8)}</h1>
      <p className="order-status">
        Status:{' '}
        <span className={`badge ${order.status}`} data-testid="order-status">
          {order.status}
        </span>{' '}
        <span className="status-text">{STATUS_TEXT[order.status]}</span>
      </p>
      <table className="order-lines">
        <caption className="visually-hidden">Items in this order</caption>
        <thead>
          <tr>
            <th scope="col">Item</th>
            <th scope="col" className="number">Quantity</th>
            <th scope="col" className="number">Line total</th>
          </tr>
        </thead>
        <tbody>
          {order.lines.map((line) => (
            <tr key={line.itemId}>
              <th scope="row">{productById(line.itemId)?.name ?? line.itemId}</th>
              <td className="number">
                {line.quantity} × {yen(line.price)}
              </td>
              <td className="number">{yen(line.quantity * line.price)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <dl className="totals" aria-label="Totals">
        <dt>Subtotal</dt>
        <dd data-testid="order-subtotal">{yen(order.subtotal)}</dd>
        {order.discount > 0 && (
          <>
            <dt>Discount{order.coupon ? ` (${order.coupon})` : ''}</dt>
            <dd data-testid="order-discount">−{yen(order.discount)}</dd>
          </>
        )}
        <dt>Total</dt>
        <dd data-testid="order-total" className="total">
          {yen(order.total)}
        </dd>
      </dl>
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
      {justCompleted && order.status === 'completed' && (
        <div className="confirmation" role="status">
          <h2>Thank you, your order is confirmed</h2>
          <p>It is saved on this device and listed with your orders.</p>
        </div>
      )}
      <p className="actions next-steps">
        {order.status === 'completed' && <a href={hrefOf({ screen: 'catalog' })}>Continue shopping</a>}
        <a href={hrefOf({ screen: 'orders' })}>All orders</a>
      </p>
    </section>
  )
}
