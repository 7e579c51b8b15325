// The shop's stream categories as its rules (src/domain/rules) declare them: a category's streams
// are named `<Category>$<id>` and hold only its own events, each naming that id; the Shopper's
// streams are named after the account that owns them, and an Order.Placed reads its cart's stream.
// A name that anybody can predict is safe only if its category binds it to an owner; every other
// name the shop makes is a random id, which nobody else can know before its first write.
import type { DomainEvent } from './checkedEvent'
import { cartRules } from './cart/rules'
import { orderRules } from './order/rules'
import { shopRules } from './rules'
import { shopperRules } from './shopper/rules'

export type StreamType = 'Cart' | 'Order' | 'Shopper'

const categories = { Cart: cartRules, Order: orderRules, Shopper: shopperRules } as const

/** The category and id of a stream named `<Category>$<id>` (a non-empty id); undefined for any other name. */
export function parseStreamName(stream: string): { type: StreamType; id: string } | undefined {
  const type = shopRules.categoryOf(stream) as StreamType | undefined
  return type === undefined ? undefined : { type, id: stream.slice(type.length + 1) }
}

/** The category whose event type this is (`Cart` for `Cart.ItemAdded`), or undefined. */
export function categoryOfEventType(type: string): StreamType | undefined {
  return (Object.keys(categories) as StreamType[]).find((category) => categories[category].events.some((definition) => definition.type === type))
}

/** The id an event gives in its category's id field (`cartId`, …), when it is a string. */
export function aggregateIdOf(type: StreamType, event: DomainEvent): string | undefined {
  const named = typeof event.data === 'object' && event.data !== null ? (event.data as Record<string, unknown>)[categories[type].idField!] : undefined
  return typeof named === 'string' ? named : undefined
}

/** The user id a stream's name says owns it (`Shopper$<user id>`); undefined when its first writer owns it. */
export const ownerNamedBy = (stream: string): string | undefined => shopRules.ownerNamedBy(stream)

/** The other streams (by name) the rules of these new events of `stream` read; none for a stream of no category. */
export const streamsReadBy = (stream: string, events: readonly DomainEvent[]): string[] => shopRules.reads(stream, events)
