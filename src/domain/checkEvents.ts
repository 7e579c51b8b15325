// One check for events made elsewhere, shared by the browser and the sync server: a stream's
// stored events are replayed into its aggregate, then each new event must pass the rules the
// aggregate's commands enforce (events of a category only in that category's streams and naming
// the stream's own id, catalog products at catalog prices, quantities 1…99, known coupons with
// their own discount, orders that match the cart they were checked out from, an order completed
// once, after it was placed). A rule that needs another stream fails when that stream is not
// given. A failure throws the domain's own error (a DomainError); nothing is changed.
import type { AggregateRoot } from '../eventstore/aggregates'
import type { RecordedEvent } from '../eventstore/events'
import { Cart, type CartState } from './cart/Cart'
import { UnexpectedEventError, type DomainEvent } from './checkedEvent'
import { Order } from './order/Order'
import { Shopper } from './shopper/Shopper'
import { aggregateIdOf, categoryOfEventType, parseStreamName, streamCategories, type StreamType } from './streamCategories'

export type { DomainEvent } from './checkedEvent'
export { UnexpectedEventError } from './checkedEvent'
export type { StreamType } from './streamCategories'

const streamTypes = Object.keys(streamCategories) as StreamType[]

export interface CheckOptions {
  /**
   * The aggregate's id (checkStreamEvents gives the part of the stream name after `$`). When
   * given, each new event of the aggregate must name it in its data (`cartId`, `orderId`,
   * `shopperId`): a Cart$A stream takes no event about cart B. Without it the aggregate is
   * 'unknown' and no id is compared.
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

/** The aggregate a stream holds: by its name (`Cart$<id>`), else by its new events' type prefix; undefined for neither. */
export function streamTypeOf(stream: string, events: readonly DomainEvent[] = []): StreamType | undefined {
  const byName = streamTypes.find((type) => stream.startsWith(`${type}$`))
  if (byName !== undefined) return byName
  return streamTypes.find((type) => events.some((event) => event.type.startsWith(`${type}.`)))
}

/** UnexpectedEventError when an event of the aggregate names another one than `id` (or none). */
function checkNamesAggregate(streamType: StreamType, id: string, event: DomainEvent): void {
  if (!event.type.startsWith(`${streamType}.`)) return // another aggregate's event: its check refuses it
  const named = aggregateIdOf(streamType, event)
  if (named === id) return
  const noun = streamType.toLowerCase()
  throw new UnexpectedEventError(streamType, event.type, typeof named === 'string' ? `it names ${noun} ${named}, not ${id}` : `it names no ${noun}`)
}

/** UnexpectedEventError for an event of a category written to a stream that is not one of that category's. */
function checkPlacedInOwnStream(stream: string, event: DomainEvent): void {
  const category = categoryOfEventType(event.type)
  if (category === undefined || parseStreamName(stream)?.type === category) return
  const id = aggregateIdOf(category, event)
  const home = id === undefined || id.length === 0 ? `${category}$<its ${streamCategories[category].idField}>` : `${category}$${id}`
  throw new UnexpectedEventError(category, event.type, `its stream is ${home}, not ${stream}`)
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
        order.check(event, { cart: cartEvents === undefined || cartEvents.length === 0 ? undefined : cartStateOf(cartId as string, cartEvents) })
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
 * checkEvents for a stream by name. An event of a category (`Order.Placed`) goes only in a stream
 * of that category that names its id (`Order$<orderId>`): anywhere else (`order$X`, `Y$X`,
 * `plainX`) it is refused. A stream of no category holding no such event is not checked.
 */
export function checkStreamEvents(stream: string, stored: readonly DomainEvent[], events: readonly DomainEvent[], options: StreamCheckOptions = {}): void {
  for (const event of events) checkPlacedInOwnStream(stream, event)
  const parsed = parseStreamName(stream)
  if (parsed === undefined) return
  const carts = new Map<string, readonly DomainEvent[]>()
  for (const [name, cartEvents] of options.streams ?? []) {
    const other = parseStreamName(name)
    if (other?.type === 'Cart') carts.set(other.id, cartEvents)
  }
  checkEvents(parsed.type, stored, events, { id: parsed.id, carts })
}
