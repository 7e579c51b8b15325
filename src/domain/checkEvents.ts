// One check for events made elsewhere, shared by the browser and the sync server: a stream's
// stored events are replayed into its aggregate, then each new event must pass the rules the
// aggregate's commands enforce (events that name the stream's own aggregate, catalog products at
// catalog prices, quantities 1…99, known coupons with their own discount, orders that match their
// cart, an order completed once, after it was placed). A failure throws the domain's own error (a
// DomainError); nothing is changed.
import type { AggregateRoot } from '../eventstore/aggregates'
import type { RecordedEvent } from '../eventstore/events'
import { Cart, type CartState } from './cart/Cart'
import { UnexpectedEventError, type DomainEvent } from './checkedEvent'
import { Order } from './order/Order'
import { Shopper } from './shopper/Shopper'

export type { DomainEvent } from './checkedEvent'
export { UnexpectedEventError } from './checkedEvent'

export type StreamType = 'Cart' | 'Order' | 'Shopper'

const streamTypes: readonly StreamType[] = ['Cart', 'Order', 'Shopper']

export interface CheckOptions {
  /**
   * The aggregate's id (checkStreamEvents gives the part of the stream name after `$`). When
   * given, each new event of the aggregate must name it in its data (`cartId`, `orderId`,
   * `shopperId`): a Cart$A stream takes no event about cart B. Without it the aggregate is
   * 'unknown' and no id is compared.
   */
  id?: string
  /** Stored events of carts by cart id, where known: an Order.Placed must name a cart checked out to this very order, with the cart's lines and totals. */
  carts?: ReadonlyMap<string, readonly DomainEvent[]>
}

/** The aggregate a stream holds: by its name (`Cart$<id>`), else by its new events' type prefix; undefined for neither. */
export function streamTypeOf(stream: string, events: readonly DomainEvent[] = []): StreamType | undefined {
  const byName = streamTypes.find((type) => stream.startsWith(`${type}$`))
  if (byName !== undefined) return byName
  return streamTypes.find((type) => events.some((event) => event.type.startsWith(`${type}.`)))
}

/** The data field by which each aggregate's events name it. */
const idFields: Record<StreamType, string> = { Cart: 'cartId', Order: 'orderId', Shopper: 'shopperId' }

/** UnexpectedEventError when an event of the aggregate names another one than `id` (or none). */
function checkNamesAggregate(streamType: StreamType, id: string, event: DomainEvent): void {
  if (!event.type.startsWith(`${streamType}.`)) return // another aggregate's event: its check refuses it
  const named = typeof event.data === 'object' && event.data !== null ? (event.data as Record<string, unknown>)[idFields[streamType]] : undefined
  if (named === id) return
  const noun = streamType.toLowerCase()
  throw new UnexpectedEventError(streamType, event.type, typeof named === 'string' ? `it names ${noun} ${named}, not ${id}` : `it names no ${noun}`)
}

const recorded = (event: DomainEvent, index: number): RecordedEvent =>
  ({ eventId: `stored-${index}`, type: event.type, data: event.data, metadata: {}, globalPosition: index }) as unknown as RecordedEvent

function replayed<A extends AggregateRoot<any>>(aggregate: A, stored: readonly DomainEvent[]): A {
  stored.forEach((event, index) => aggregate.replay(recorded(event, index)))
  return aggregate
}

/** The state of a cart from its stored events. */
export function cartStateOf(cartId: string, stored: readonly DomainEvent[]): CartState {
  return replayed(new Cart(cartId), stored).snapshotState() as CartState
}

/**
 * Replays `stored` into a `streamType` aggregate and checks each of `events` in turn against it;
 * throws the first rule's DomainError (or the store's error for stored data it cannot replay).
 */
export function checkEvents(streamType: StreamType, stored: readonly DomainEvent[], events: readonly DomainEvent[], options: CheckOptions = {}): void {
  const id = options.id ?? 'unknown'
  if (options.id !== undefined) for (const event of events) checkNamesAggregate(streamType, options.id, event)
  switch (streamType) {
    case 'Cart': {
      const cart = replayed(new Cart(id), stored)
      for (const event of events) cart.check(event)
      return
    }
    case 'Order': {
      const order = replayed(new Order(id), stored)
      for (const event of events) {
        const cartId = (event.data as { cartId?: unknown } | null)?.cartId
        const cartEvents = typeof cartId === 'string' ? options.carts?.get(cartId) : undefined
        order.check(event, { cart: cartEvents === undefined ? undefined : cartStateOf(cartId as string, cartEvents) })
      }
      return
    }
    case 'Shopper': {
      const shopper = replayed(new Shopper(id), stored)
      for (const event of events) shopper.check(event)
      return
    }
  }
}

/**
 * checkEvents for a stream by name: its aggregate from `streamTypeOf`, its id after the `$` (a name
 * without one gives no id, so no event's id is compared). No aggregate, no check.
 */
export function checkStreamEvents(stream: string, stored: readonly DomainEvent[], events: readonly DomainEvent[], options: Omit<CheckOptions, 'id'> = {}): void {
  const type = streamTypeOf(stream, events)
  if (type === undefined) return
  const dollar = stream.indexOf('$')
  checkEvents(type, stored, events, dollar === -1 ? options : { ...options, id: stream.slice(dollar + 1) })
}
