// An account's history for the catch-up bench, made by the domain's own aggregates and pushed
// through the server as a device would push it (big valid pushes: the server checks every event
// with src/domain). The shape of bench/app-seed.ts: thousands of carts, each checked out into an
// order (Cart.CheckedOut, Order.Placed and the Shopper's next CartStarted, as the app's checkout
// commits them), about one order in ten completed a few carts later, and the current cart, a
// stream of some tens of events. Deterministic apart from the ids.
import { randomUUID } from 'node:crypto'
import { Cart, Order, Shopper, catalog, coupons } from '../../../src/domain'
import type { NewEvent } from '../../../src/eventstore'
import type { PushCommit, WireEvent } from '../../../src/sync/protocol'
import { PUSH_LIMITS } from '../../../src/sync/protocol'
import type { HttpDevice } from '../client'

export interface History {
  events: number
  commits: number
  pushes: number
  carts: number
  orders: number
  completedOrders: number
  currentCart: { id: string; events: number; itemCount: number; lines: Array<{ itemId: string; quantity: number }> }
  ms: number
}

function random(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = Math.imul(a ^ (a >>> 15), a | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Makes `total` events (± a few) of one shopper's history and pushes them through `device`. */
export async function pushHistory(device: HttpDevice, total: number, currentCartEvents = 30): Promise<History> {
  const started = performance.now()
  const rand = random(17)
  const between = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1))
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T
  const codes = Object.keys(coupons)
  const versions = new Map<string, number>()
  const commits: PushCommit[] = []
  let events = 0
  let clock = Date.now() - 365 * 24 * 3600 * 1000
  const commit = (stream: string, made: readonly NewEvent[]) => {
    const version = versions.get(stream) ?? -1
    const correlationId = made[0]!.eventId
    const wire: WireEvent[] = made.map((event) => {
      clock += between(4, 90) * 1000
      return { eventId: event.eventId, type: event.type, data: event.data, metadata: { correlationId, timestamp: new Date(clock).toISOString() } }
    })
    commits.push({ stream, expectedVersion: version, events: wire })
    versions.set(stream, version + made.length)
    events += made.length
  }
  const fill = (cart: Cart, length: number) => {
    let made = 0
    while (made < length) {
      const r = rand()
      const lines = cart.lines
      const line = lines.length ? pick(lines) : null
      const before = cart.unpublishedEvents.length
      try {
        if (line && r < 0.14) cart.updateItemQuantity(line.itemId, line.quantity === 1 ? between(2, 4) : line.quantity - 1)
        else if (line && lines.length > 1 && r < 0.22) cart.removeItem(line.itemId)
        else if (!cart.coupon && made > 3 && r < 0.24) cart.applyCoupon(pick(codes))
        else {
          const product = pick(catalog)
          cart.addItem(product.id, between(1, 3), product.price)
        }
      } catch {
        continue // the cart refused (a limit): its owner tries something else
      }
      if (cart.unpublishedEvents.length > before) made++
    }
  }

  const shopper = new Shopper(device.userId)
  const shopperStream = `${Shopper.aggregateName}$${device.userId}`
  let cart = new Cart(randomUUID())
  shopper.startCart(cart.id, null)
  commit(shopperStream, shopper.unpublishedEvents)
  const drain = (aggregate: { unpublishedEvents: readonly NewEvent[] }, taken: number) => aggregate.unpublishedEvents.slice(taken)
  let shopperTaken = shopper.unpublishedEvents.length
  let carts = 0
  let completed = 0
  const due: Array<{ order: Order; taken: number; afterCart: number }> = []
  const pastEvents = total - currentCartEvents
  while (events < pastEvents - 45) {
    for (let i = due.length - 1; i >= 0; i--) {
      const { order, taken, afterCart } = due[i]!
      if (afterCart > carts) continue
      order.complete()
      commit(`${Order.aggregateName}$${order.id}`, drain(order, taken))
      completed++
      due.splice(i, 1)
    }
    fill(cart, between(4, 40))
    const orderId = randomUUID()
    cart.checkout(orderId)
    const order = new Order(orderId)
    order.place(cart.id, cart.lines, cart.subtotal, cart.discount)
    const next = new Cart(randomUUID())
    shopper.startCart(next.id, cart.id)
    commit(`${Cart.aggregateName}$${cart.id}`, cart.unpublishedEvents)
    commit(`${Order.aggregateName}$${orderId}`, order.unpublishedEvents)
    commit(shopperStream, drain(shopper, shopperTaken))
    shopperTaken = shopper.unpublishedEvents.length
    carts++
    if (rand() < 0.1) due.push({ order, taken: order.unpublishedEvents.length, afterCart: carts + between(0, 5) })
    cart = next
  }
  fill(cart, currentCartEvents)
  commit(`${Cart.aggregateName}$${cart.id}`, cart.unpublishedEvents)

  // In pushes within the protocol's limits, one after another (a stream's commits stay in order).
  let pushes = 0
  for (let from = 0; from < commits.length; ) {
    const batch: PushCommit[] = []
    let n = 0
    let bytes = 0
    while (from < commits.length && batch.length < PUSH_LIMITS.commits) {
      const next = commits[from]!
      const size = JSON.stringify(next).length
      if (batch.length > 0 && (n + next.events.length > PUSH_LIMITS.events || bytes + size > PUSH_LIMITS.bytes * 0.8)) break
      batch.push(next)
      n += next.events.length
      bytes += size
      from++
    }
    const answer = await device.push(batch)
    pushes++
    const refused = answer.results.findIndex((result) => result.status !== 'accepted')
    if (refused >= 0) throw new Error(`seeding: commit to ${batch[refused]!.stream} was ${JSON.stringify(answer.results[refused])}`)
  }
  const lines = cart.lines.map(({ itemId, quantity }) => ({ itemId, quantity }))
  return {
    events,
    commits: commits.length,
    pushes,
    carts: carts + 1,
    orders: carts,
    completedOrders: completed,
    currentCart: { id: cart.id, events: currentCartEvents, itemCount: lines.reduce((n, l) => n + l.quantity, 0), lines },
    ms: Math.round(performance.now() - started),
  }
}
