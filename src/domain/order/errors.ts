import { registerError } from '../../eventstore/errors'
import { DomainError } from '../DomainError'

export class OrderNotDraftError extends DomainError {
  override name = 'Order.NotDraftError'
  constructor(
    readonly orderId: string,
    readonly status: string,
  ) {
    super(
      status === 'none'
        ? `There is no order ${orderId}. Nothing was changed.`
        : `Order ${orderId} is ${status}, not a draft, so completing it changes nothing.`,
      { orderId, status },
    )
  }
}

export class OrderAlreadyPlacedError extends DomainError {
  override name = 'Order.AlreadyPlacedError'
  constructor(readonly orderId: string) {
    super(`Order ${orderId} has already been placed.`, { orderId })
  }
}

export class OrderInconsistentError extends DomainError {
  override name = 'Order.InconsistentError'
  constructor(
    readonly orderId: string,
    readonly reason: string,
  ) {
    super(`Order ${orderId} cannot be placed: ${reason}.`, { orderId, reason })
  }
}

registerError('Order.InconsistentError', (f) => new OrderInconsistentError(String(f.orderId), String(f.reason)))
registerError('Order.NotDraftError', (f) => new OrderNotDraftError(String(f.orderId), String(f.status)))
registerError('Order.AlreadyPlacedError', (f) => new OrderAlreadyPlacedError(String(f.orderId)))
