// Which of the order's commands produced each order event. An Order.Placed reads the cart it was
// checked out from (its stream `Cart$<cartId>`): the order must be the one that checkout made.
import { streamOf } from '../../eventstore/aggregates'
import { rulesOf } from '../../eventstore/rules'
import { Cart } from '../cart/Cart'
import { OrderInconsistentError } from './errors'
import { OrderCompleted, OrderPlaced } from './events'
import { checkPlacedFrom, Order } from './Order'

const namesCart = (cartId: unknown): cartId is string => typeof cartId === 'string' && cartId.length > 0

export const orderRules = rulesOf(Order, {
  events: [OrderPlaced, OrderCompleted],
  idField: 'orderId',
  reads: (event) => (OrderPlaced.is(event) && namesCart(event.data.cartId) ? [streamOf(Cart, event.data.cartId)] : []),
  producedBy: {
    [OrderPlaced.type]: (order, { data }, context) => {
      if (!namesCart(data.cartId)) throw new OrderInconsistentError(order.id, 'it names no cart')
      order.place(data.cartId, data.lines, data.subtotal, data.discount)
      if (data.total !== data.subtotal - data.discount) throw new OrderInconsistentError(order.id, `its total ${String(data.total)} is not ${data.subtotal} − ${data.discount}`)
      checkPlacedFrom(order.id, data, context.state(Cart, data.cartId))
    },
    [OrderCompleted.type]: (order) => order.complete(),
  },
})
