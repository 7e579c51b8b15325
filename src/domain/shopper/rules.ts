// Which of the shopper's commands produced its event. A shopper's stream is named after the
// account that owns it (`Shopper$<user id>`), so no other account can take it before its owner.
import { rulesOf } from '../../eventstore/rules'
import { CartStarted } from './events'
import { Shopper } from './Shopper'

export const shopperRules = rulesOf(Shopper, {
  events: [CartStarted],
  idField: 'shopperId',
  namedAfterOwner: true,
  producedBy: {
    [CartStarted.type]: (shopper, { data }) => shopper.startCart(data.cartId, data.previousCartId ?? null),
  },
})
