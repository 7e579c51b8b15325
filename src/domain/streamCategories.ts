// The shop's stream categories and what each says of its streams, for the browser and the sync
// server alike: a category's streams are named `<Category>$<id>` and hold only its own events
// (types `<Category>.<Event>`), each naming that id; a category may say that its streams are
// named after the account that owns them, and which other streams its rules read. A name that
// anybody can predict is safe only if its category binds it to an owner; every other name the
// shop makes is a random id, which nobody else can know before its first write.
import type { DomainEvent } from './checkedEvent'

export type StreamType = 'Cart' | 'Order' | 'Shopper'

export interface StreamCategory {
  /** The data field by which each of the category's events names its stream's id. */
  readonly idField: string
  /**
   * Its streams are named after the account that owns them (`Shopper$<user id>`): no other
   * account may write one, whether it exists yet or not, so none can be taken before its owner
   * signs up.
   */
  readonly namedAfterOwner: boolean
  /**
   * The other streams of the same account that these new events' rules need, by name. The check
   * fails when one of them is missing (another account's counts as missing): a rule never passes
   * for want of what it needs.
   */
  readonly reads: (events: readonly DomainEvent[]) => string[]
}

const dataOf = (event: DomainEvent): Record<string, unknown> =>
  typeof event.data === 'object' && event.data !== null ? (event.data as Record<string, unknown>) : {}

/** The carts the commit's orders are placed from: an order must match the cart it was checked out from. */
const cartsPlacedFrom = (events: readonly DomainEvent[]): string[] => [
  ...new Set(
    events.flatMap((event) => {
      const cartId = dataOf(event).cartId
      return event.type === 'Order.Placed' && typeof cartId === 'string' && cartId.length > 0 ? [`Cart$${cartId}`] : []
    }),
  ),
]

export const streamCategories: Readonly<Record<StreamType, StreamCategory>> = Object.freeze({
  Cart: { idField: 'cartId', namedAfterOwner: false, reads: () => [] },
  Order: { idField: 'orderId', namedAfterOwner: false, reads: cartsPlacedFrom },
  Shopper: { idField: 'shopperId', namedAfterOwner: true, reads: () => [] },
})

const streamTypes = Object.keys(streamCategories) as StreamType[]

/** The category and id of a stream named `<Category>$<id>` (a non-empty id); undefined for any other name. */
export function parseStreamName(stream: string): { type: StreamType; id: string } | undefined {
  const dollar = stream.indexOf('$')
  if (dollar === -1 || dollar === stream.length - 1) return undefined
  const type = stream.slice(0, dollar)
  return (streamTypes as string[]).includes(type) ? { type: type as StreamType, id: stream.slice(dollar + 1) } : undefined
}

/** The category whose event type this is (`Cart` for `Cart.ItemAdded`), or undefined. */
export function categoryOfEventType(type: string): StreamType | undefined {
  return streamTypes.find((category) => type.startsWith(`${category}.`))
}

/** The id an event gives in its category's id field (`cartId`, …), when it is a string. */
export function aggregateIdOf(type: StreamType, event: DomainEvent): string | undefined {
  const named = dataOf(event)[streamCategories[type].idField]
  return typeof named === 'string' ? named : undefined
}

/** The user id a stream's name says owns it (`Shopper$<user id>`); undefined when its first writer owns it. */
export function ownerNamedBy(stream: string): string | undefined {
  const parsed = parseStreamName(stream)
  return parsed !== undefined && streamCategories[parsed.type].namedAfterOwner ? parsed.id : undefined
}

/** The other streams (by name) the rules of these new events of `stream` read; none for a stream of no category. */
export function streamsReadBy(stream: string, events: readonly DomainEvent[]): string[] {
  const parsed = parseStreamName(stream)
  return parsed === undefined ? [] : streamCategories[parsed.type].reads(events)
}
