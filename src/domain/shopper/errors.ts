import { registerError } from '../../eventstore/errors'
import { DomainError } from '../DomainError'

export class CurrentCartChangedError extends DomainError {
  override name = 'Shopper.CurrentCartChangedError'
  constructor(
    readonly shopperId: string,
    readonly expected: string | null,
    readonly actual: string | null,
  ) {
    super('Your current cart changed meanwhile (in another tab or on another device), so no new cart was started.', { shopperId, expected, actual })
  }
}

export class InvalidCartIdError extends DomainError {
  override name = 'Shopper.InvalidCartIdError'
  constructor(readonly cartId: unknown) {
    super(`${JSON.stringify(cartId) ?? String(cartId)} cannot name a new cart. No cart was started.`, { cartId })
  }
}

registerError(
  'Shopper.CurrentCartChangedError',
  (f) => new CurrentCartChangedError(String(f.shopperId), (f.expected as string | null) ?? null, (f.actual as string | null) ?? null),
)
registerError('Shopper.InvalidCartIdError', (f) => new InvalidCartIdError(f.cartId))
