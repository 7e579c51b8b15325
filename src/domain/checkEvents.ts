// The shop's check of events made elsewhere in its older form, over `shopRules` (src/domain/rules):
// a stream's stored events are replayed into its aggregate, then each new event must be one the
// aggregate's commands could have produced there (events of a category only in that category's
// streams and naming the stream's own id, catalog products at catalog prices, quantities 1…99,
// known coupons with their own discount, orders that match the cart they were checked out from,
// an order completed once, after it was placed). A rule that needs another stream fails when that
// stream is not given. A failure throws the domain's own error (a DomainError); nothing is changed.
import { streamOf } from '../eventstore/aggregates'
import { replayed, RuleRefusalError } from '../eventstore/rules'
import { Cart, type CartState } from './cart/Cart'
import { UnexpectedEventError, type DomainEvent } from './checkedEvent'
import { shopRules } from './rules'
import { aggregateIdOf, categoryOfEventType, type StreamType } from './streamCategories'

export type { DomainEvent } from './checkedEvent'
export { UnexpectedEventError } from './checkedEvent'
export type { StreamType } from './streamCategories'

export interface CheckOptions {
  /**
   * The aggregate's id (checkStreamEvents gives the part of the stream name after `$`). Each new
   * event of the aggregate must name it in its data (`cartId`, `orderId`, `shopperId`): a Cart$A
   * stream takes no event about cart B. Without it, the id the first new event names is taken.
   */
  id?: string
  /**
   * The same account's stored cart events, by cart id. An Order.Placed must name one of them,
   * checked out to this very order, with its lines and totals: a cart not given (unknown, another
   * account's, or simply not looked up) refuses the order.
   */
  carts?: ReadonlyMap<string, readonly DomainEvent[]>
}

export interface StreamCheckOptions {
  /**
   * The stored events of the other streams the new events' rules read (`streamsReadBy`), by
   * stream name: only the same account's. A stream missing here fails the rule that needs it.
   */
  streams?: ReadonlyMap<string, readonly DomainEvent[]>
}

/** The aggregate a stream holds: by its name (`Cart$<id>`), else by its new events' types; undefined for neither. */
export function streamTypeOf(stream: string, events: readonly DomainEvent[] = []): StreamType | undefined {
  const byName = shopRules.categoryOf(stream) as StreamType | undefined
  return byName ?? events.map((event) => categoryOfEventType(event.type)).find((type) => type !== undefined)
}

/** The state of a cart from its stored events. */
export function cartStateOf(cartId: string, stored: readonly DomainEvent[]): CartState {
  return replayed(Cart, cartId, stored).snapshotState() as CartState
}

/** The rules' own refusals (an event out of its place, naming another id, that no command makes) in the shop's words. */
function inShopTerms(check: () => void): void {
  try {
    check()
  } catch (error) {
    if (error instanceof RuleRefusalError) throw new UnexpectedEventError(error.category, error.type, error.reason)
    throw error
  }
}

/**
 * Replays `stored` into a `streamType` aggregate and checks each of `events` in turn against it;
 * throws the first rule's DomainError (or the store's error for stored data it cannot replay).
 */
export function checkEvents(streamType: StreamType, stored: readonly DomainEvent[], events: readonly DomainEvent[], options: CheckOptions = {}): void {
  const id = options.id ?? events.map((event) => aggregateIdOf(streamType, event)).find((named) => named !== undefined && named.length > 0) ?? 'unknown'
  const streams = new Map([...(options.carts ?? [])].map(([cartId, cartEvents]) => [streamOf(Cart, cartId), cartEvents]))
  inShopTerms(() => shopRules.check(`${streamType}$${id}`, stored, events, { streams }))
}

/**
 * checkEvents for a stream by name. An event of a category (`Order.Placed`) goes only in a stream
 * of that category that names its id (`Order$<orderId>`): anywhere else (`order$X`, `Y$X`,
 * `plainX`) it is refused. A stream of no category holding no such event is not checked.
 */
export function checkStreamEvents(stream: string, stored: readonly DomainEvent[], events: readonly DomainEvent[], options: StreamCheckOptions = {}): void {
  inShopTerms(() => shopRules.check(stream, stored, events, options))
}
