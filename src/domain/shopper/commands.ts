import type { AggregateRepository } from '../../eventstore/aggregates'
import type { EventStore } from '../../eventstore/client'
import { WrongExpectedVersionError } from '../../eventstore/errors'
import { Cart } from '../cart/Cart'
import { COMMAND_RETRIES } from '../cart/commands'
import { Shopper } from './Shopper'

/** The shopper of a device nobody signed in on. */
export const LOCAL_SHOPPER = 'local'

export interface OpenCurrentCart {
  shopperId: string
  /** The id a new cart gets, if one has to be started. */
  newCartId: string
  /** The cart this device called current before it had a Shopper stream: kept when the stream is empty. */
  adoptCartId?: string | null
}

/**
 * The shopper's current cart, as its stream says. With none yet, or when the one it names was
 * checked out, a new one is started: read and appended (expecting the stream's version) in one
 * transaction, so of several tabs opening at once one starts it and the others follow that one.
 */
export async function openCurrentCart(store: EventStore, repository: AggregateRepository, c: OpenCurrentCart): Promise<string> {
  // Most opens find an open cart: they read, and write (in a readwrite transaction) only to start one.
  const found = await currentCartOf(repository, c.shopperId)
  if (found !== null && (await repository.load(Cart, found)).orderId === null) return found
  for (let attempt = 0; ; attempt++) {
    try {
      return await store.transaction(async (tx) => {
        const repo = repository.using(tx)
        const shopper = await repo.load(Shopper, c.shopperId)
        if (shopper.cartId === null && c.adoptCartId) shopper.startCart(c.adoptCartId, null)
        const current = shopper.cartId
        if (current === null || (await repo.load(Cart, current)).orderId !== null) shopper.startCart(c.newCartId, current)
        await repo.store(shopper)
        return shopper.cartId!
      })
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError) || attempt >= COMMAND_RETRIES) throw error
    }
  }
}

/** The cart the shopper's stream names now (null before the first), without starting one. */
export async function currentCartOf(repository: AggregateRepository, shopperId: string): Promise<string | null> {
  return (await repository.load(Shopper, shopperId)).cartId
}
