import { useEffect, useState, type FormEvent } from 'react'
import { MAX_QUANTITY, productById, type CartLine } from '../../domain'
import { useUnexpectedError } from '../errors'
import { yen } from '../format'
import { hrefOf, navigate } from '../router'
import { useCart, useShop } from '../ShopContext'
import { useCommand } from '../useCommand'

function LineRow({ line }: { line: CartLine }) {
  const shop = useShop()
  const unexpected = useUnexpectedError()
  const name = productById(line.itemId)?.name ?? line.itemId
  const [quantity, setQuantity] = useState(String(line.quantity))
  useEffect(() => setQuantity(String(line.quantity)), [line.quantity])
  const [update, updating] = useCommand((q: number) => shop.updateQuantity(line.itemId, q), unexpected)
  const [remove, removing] = useCommand(() => shop.removeItem(line.itemId), unexpected)
  const error = updating.error ?? removing.error
  const inputId = `quantity-${line.itemId}`
  const commit = () => {
    const next = Number(quantity)
    if (quantity.trim() !== '' && next !== line.quantity) void update(next)
  }
  return (
    <tr>
      <th scope="row">{name}</th>
      <td className="number">{yen(line.price)}</td>
      <td>
        <label className="visually-hidden" htmlFor={inputId}>
          Quantity of {name}
        </label>
        <div className="stepper">
          {/* aria-disabled, not disabled: a disabled button drops the keyboard focus it has. */}
          <button type="button" aria-label={`One fewer ${name}`} aria-disabled={line.quantity <= 1} onClick={() => line.quantity > 1 && !updating.busy && void update(line.quantity - 1)}>
            −
          </button>
          <input
            id={inputId}
            type="number"
            inputMode="numeric"
            min={1}
            max={MAX_QUANTITY}
            value={quantity}
            onChange={(e) => setQuantity(e.target.value)}
            onBlur={commit}
            onKeyDown={(e) => e.key === 'Enter' && commit()}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? `${inputId}-error` : undefined}
          />
          <button
            type="button"
            aria-label={`One more ${name}`}
            aria-disabled={line.quantity >= MAX_QUANTITY}
            onClick={() => line.quantity < MAX_QUANTITY && !updating.busy && void update(line.quantity + 1)}
          >
            +
          </button>
        </div>
        {error && (
          <p className="field-error" id={`${inputId}-error`} role="alert">
            {error}
          </p>
        )}
      </td>
      <td className="number">{yen(line.price * line.quantity)}</td>
      <td>
        <button type="button" className="link-button" onClick={() => void remove()} disabled={removing.busy} aria-label={`Remove ${name}`}>
          Remove
        </button>
      </td>
    </tr>
  )
}

function CouponForm() {
  const shop = useShop()
  const coupon = useCart((cart) => cart.coupon)
  const [code, setCode] = useState('')
  const [apply, { busy, error }] = useCommand((c: string) => shop.applyCoupon(c), useUnexpectedError())
  const submit = async (event: FormEvent) => {
    event.preventDefault()
    if (code.trim() && (await apply(code))) setCode('')
  }
  return (
    <form className="coupon" onSubmit={(e) => void submit(e)} noValidate>
      <label htmlFor="coupon-code">Coupon code</label>
      <div className="inline">
        <input id="coupon-code" value={code} onChange={(e) => setCode(e.target.value)} autoComplete="off" aria-invalid={error ? true : undefined} aria-describedby={error ? 'coupon-error' : 'coupon-hint'} />
        <button type="submit" disabled={busy || !code.trim()}>
          Apply
        </button>
      </div>
      {error ? (
        <p className="field-error" id="coupon-error" role="alert">
          {error}
        </p>
      ) : (
        <p className="hint" id="coupon-hint">
          {coupon ? `Coupon ${coupon.code} applied.` : 'Try WELCOME500.'}
        </p>
      )}
    </form>
  )
}

export function CartScreen() {
  const shop = useShop()
  const cart = useCart((c) => c)
  const [checkout, { busy, error }] = useCommand(async () => {
    const orderId = await shop.checkout()
    navigate({ screen: 'order', orderId })
  }, useUnexpectedError())
  return (
    <section aria-labelledby="cart-title">
      <h1 id="cart-title">Your cart</h1>
      {cart.lines.length === 0 ? (
        <p>
          Your cart is empty. <a href={hrefOf({ screen: 'catalog' })}>Browse the shop</a>.
        </p>
      ) : (
        <>
          <table className="cart-lines">
            <caption className="visually-hidden">Items in your cart</caption>
            <thead>
              <tr>
                <th scope="col">Item</th>
                <th scope="col" className="number">Price</th>
                <th scope="col">Quantity</th>
                <th scope="col" className="number">Line total</th>
                <th scope="col"><span className="visually-hidden">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              {cart.lines.map((line) => (
                <LineRow key={line.itemId} line={line} />
              ))}
            </tbody>
          </table>
          <CouponForm />
          <dl className="totals" aria-label="Totals">
            <dt>Subtotal</dt>
            <dd data-testid="subtotal">{yen(cart.subtotal)}</dd>
            <dt>Discount{cart.coupon ? ` (${cart.coupon.code})` : ''}</dt>
            <dd data-testid="discount">−{yen(cart.discount)}</dd>
            <dt>Total</dt>
            <dd data-testid="total" className="total">
              {yen(cart.total)}
            </dd>
          </dl>
          <button type="button" className="primary" onClick={() => void checkout()} disabled={busy}>
            Check out
          </button>
          {error && (
            <p className="field-error" role="alert">
              {error}
            </p>
          )}
        </>
      )}
    </section>
  )
}
