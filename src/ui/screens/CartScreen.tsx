import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react'
import { MAX_QUANTITY, productById, type CartLine } from '../../domain'
import { yen } from '../format'
import { hrefOf, navigate } from '../router'
import { useCart, useShop } from '../ShopContext'
import { useShopCommand } from '../useShopCommand'

const LINE_MESSAGE = 'cart-line-message'

/** What the last change to a line said: shown below the table, where it moves no line. */
interface LineMessage {
  itemId: string
  text: string
}

function LineRow({ line, error, report }: { line: CartLine; error: string | null; report: (itemId: string, error: string | null) => void }) {
  const shop = useShop()
  const name = productById(line.itemId)?.name ?? line.itemId
  const [quantity, setQuantity] = useState(String(line.quantity))
  useEffect(() => setQuantity(String(line.quantity)), [line.quantity])
  // The cart's quantity now, for a command that settles after a newer render.
  const current = useRef(line.quantity)
  current.current = line.quantity
  // The text being submitted: Enter and then leaving the field submit it once.
  const submitting = useRef<string | null>(null)
  const updating = useShopCommand((q: number) => shop.updateQuantity(line.itemId, q))
  const removing = useShopCommand(() => shop.removeItem(line.itemId))
  const update = updating.run
  const commandError = updating.error ?? removing.error
  useEffect(() => report(line.itemId, commandError), [report, line.itemId, commandError])
  useEffect(() => () => report(line.itemId, null), [report, line.itemId])
  const inputId = `quantity-${line.itemId}`
  const commit = async () => {
    const text = quantity.trim()
    const next = Number(text)
    if (text === '' || next === line.quantity) return setQuantity(String(line.quantity))
    if (submitting.current === text) return
    submitting.current = text
    const saved = await update(next)
    submitting.current = null
    // A refused value is not kept: the field shows the cart's quantity again (the message says
    // what was refused), so leaving the field does not submit it a second time.
    if (!saved) setQuantity(String(current.current))
  }
  return (
    <tr>
      <th scope="row">{name}</th>
      <td className="number" data-label="Price each">
        {yen(line.price)}
      </td>
      <td className="quantity">
        <label className="visually-hidden" htmlFor={inputId}>
          Quantity of {name}
        </label>
        <div className="stepper">
          {/* aria-disabled, not disabled: a disabled button drops the keyboard focus it has. */}
          <button type="button" aria-label={`One fewer ${name}`} aria-disabled={line.quantity <= 1} onClick={() => line.quantity > 1 && !updating.pending && void update(line.quantity - 1)}>
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
            onBlur={() => void commit()}
            onKeyDown={(e) => e.key === 'Enter' && void commit()}
            aria-invalid={error ? true : undefined}
            aria-describedby={LINE_MESSAGE}
          />
          <button
            type="button"
            aria-label={`One more ${name}`}
            aria-disabled={line.quantity >= MAX_QUANTITY}
            onClick={() => line.quantity < MAX_QUANTITY && !updating.pending && void update(line.quantity + 1)}
          >
            +
          </button>
        </div>
      </td>
      <td className="number line-total" data-label="Line total">
        {yen(line.price * line.quantity)}
      </td>
      <td className="remove">
        <button type="button" className="link-button" onClick={() => void removing.run()} disabled={removing.pending} aria-label={`Remove ${name}`}>
          Remove
        </button>
      </td>
    </tr>
  )
}

/** The lines and, below them, the message of the last change to one of them. */
function CartLines({ lines }: { lines: readonly CartLine[] }) {
  const [message, setMessage] = useState<LineMessage | null>(null)
  const report = useCallback(
    (itemId: string, error: string | null) =>
      setMessage((shown) => (error !== null ? { itemId, text: error } : shown?.itemId === itemId ? null : shown)),
    [],
  )
  const shown = message && lines.some((l) => l.itemId === message.itemId) ? message : null
  const name = shown ? (productById(shown.itemId)?.name ?? shown.itemId) : ''
  return (
    <>
      <table className="cart-lines">
        <caption className="visually-hidden">Items in your cart</caption>
        <thead>
          <tr>
            <th scope="col">Item</th>
            <th scope="col" className="number">Price each</th>
            <th scope="col">Quantity</th>
            <th scope="col" className="number">Line total</th>
            <th scope="col"><span className="visually-hidden">Actions</span></th>
          </tr>
        </thead>
        <tbody>
          {lines.map((line) => (
            <LineRow key={line.itemId} line={line} error={shown?.itemId === line.itemId ? shown.text : null} report={report} />
          ))}
        </tbody>
      </table>
      {/* Its space is kept whether or not a message shows, so a message never moves what is around it. */}
      <div className="line-message">
        {shown ? (
          <p className="field-error" id={LINE_MESSAGE} role="alert">
            {name}: {shown.text}
          </p>
        ) : (
          <p className="hint" id={LINE_MESSAGE}>
            Type a quantity from 1 to {MAX_QUANTITY} and press Enter, or use − and +.
          </p>
        )}
      </div>
    </>
  )
}

function CouponForm() {
  const shop = useShop()
  const coupon = useCart((cart) => cart.coupon)
  const [code, setCode] = useState('')
  const { run: apply, pending, error } = useShopCommand((c: string) => shop.applyCoupon(c))
  const submit = async (event: FormEvent) => {
    event.preventDefault()
    if (code.trim() && (await apply(code))) setCode('')
  }
  return (
    <form className="coupon" onSubmit={(e) => void submit(e)} noValidate>
      <label htmlFor="coupon-code">Coupon code</label>
      <div className="inline">
        <input id="coupon-code" value={code} onChange={(e) => setCode(e.target.value)} autoComplete="off" aria-invalid={error ? true : undefined} aria-describedby={error ? 'coupon-error' : 'coupon-hint'} />
        <button type="submit" disabled={pending || !code.trim()}>
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
  const { run: checkout, pending, error } = useShopCommand(async () => {
    const orderId = await shop.checkout()
    navigate({ screen: 'order', orderId })
  })
  return (
    <section aria-labelledby="cart-title">
      <h1 id="cart-title">Your cart</h1>
      {cart.lines.length === 0 ? (
        <p>
          Your cart is empty. <a href={hrefOf({ screen: 'catalog' })}>Browse the shop</a>.
        </p>
      ) : (
        <>
          <CartLines lines={cart.lines} />
          <CouponForm />
          <dl className="totals" aria-label="Totals">
            <dt>Subtotal</dt>
            <dd data-testid="subtotal">{yen(cart.subtotal)}</dd>
            {/* No coupon, no discount line: "−¥0" would only raise a question. */}
            {cart.discount > 0 && (
              <>
                <dt>Discount{cart.coupon ? ` (${cart.coupon.code})` : ''}</dt>
                <dd data-testid="discount">−{yen(cart.discount)}</dd>
              </>
            )}
          </dl>
          {/* The total and Check out stay in reach at the foot of the screen while the lines scroll. */}
          <div className="checkout-bar">
            <p className="checkout-total">
              Total{' '}
              <span data-testid="total" className="total">
                {yen(cart.total)}
              </span>
            </p>
            <button type="button" className="primary" onClick={() => void checkout()} disabled={pending}>
              Check out
            </button>
            {error && (
              <p className="field-error" role="alert">
                {error}
              </p>
            )}
          </div>
        </>
      )}
    </section>
  )
}
