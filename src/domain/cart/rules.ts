// Which of the cart's commands produced each cart event: the rules a cart event made elsewhere
// (another device, a push to the server) must pass, the same the cart's own commands enforce.
import { rulesOf } from '../../eventstore/rules'
import { unexpectedEvent } from '../checkedEvent'
import { Cart } from './Cart'
import { CouponDiscountMismatchError } from './errors'
import { CheckedOut, CouponApplied, ItemAdded, ItemQuantityUpdated, ItemRemoved } from './events'

export const cartRules = rulesOf(Cart, {
  events: [ItemAdded, ItemQuantityUpdated, ItemRemoved, CouponApplied, CheckedOut],
  idField: 'cartId',
  // Two devices that set a line to the same quantity agree: the second finds nothing to change
  // (updateItemQuantity writes nothing then), and its event, which changes nothing, is taken
  // rather than dropped and reported as refused.
  repeatable: [ItemQuantityUpdated],
  producedBy: {
    [ItemAdded.type]: (cart, { data }) => cart.addItem(data.itemId, data.quantity, data.price),
    [ItemQuantityUpdated.type]: (cart, { data }) => cart.updateItemQuantity(data.itemId, data.quantity),
    [ItemRemoved.type]: (cart, { data }) => cart.removeItem(data.itemId),
    [CouponApplied.type]: (cart, { data }) => {
      const code = String(data.code)
      cart.applyCoupon(code)
      // The command knows each coupon's discount: an event that says another is refused in the coupon's words.
      if (code !== cart.coupon?.code || data.discount !== cart.coupon.discount) throw new CouponDiscountMismatchError(code, data.discount)
    },
    [CheckedOut.type]: (cart, { type, data }) => {
      if (typeof data.orderId !== 'string' || data.orderId.length === 0) throw unexpectedEvent(Cart.aggregateName, type, 'it names no order')
      cart.checkout(data.orderId)
    },
  },
})
