// Seeds the shop's own database as a returning user's device holds it after months of use, for
// the cold start (6) and devtools (7) benchmarks (bench/shop.mjs). Served at the built app's
// origin (IndexedDB is per origin) before the app first runs there. Every event is made by the
// domain's own aggregates (Cart, Order), so the log is one the app could have written: thousands
// of carts, each checked out into an order (some completed later), and the current cart, a
// stream of some tens of events with a snapshot. The read models are written as the app's
// projections leave them: the `orders` rows, their checkpoint at the head of the log (so the
// worker has nothing to catch up on). The current cart is named by the one event of the
// `Shopper$local` stream, as an upgrade from the older `session` row leaves it. Order.Completed is
// the rare type the devtools filter by: about one order in 40 is completed, 0.1 % of the log.
import { Cart, CartStarted, LOCAL_SHOPPER, Order, OrderCompleted, Shopper, catalog, coupons, type CartState } from '../src/domain'
import { openEventStore, type NewEvent } from '../src/eventstore'
import { PROJECTIONS, EVENTS, SNAPSHOTS, STREAMS, type CheckpointRecord, type EventRecord, type SnapshotRecord, type StreamRecord } from '../src/eventstore/storage'
import { ORDERS, orderListProjection, shopReadModels, type OrderRow } from '../src/projections'
import { request } from './fixtures'

export interface ShopSeedOptions {
  /** The app's database name (src/main.tsx). */
  database: string
  /** Events in the log, all told. */
  events: number
  /** Events of the current (open) cart's stream; a Cart snapshots every 50. */
  currentCartEvents: number
}

export interface ShopSeed {
  events: number
  carts: number
  orders: number
  completedOrders: number
  /** Events per type. */
  types: Record<string, number>
  /** The global position of the newest event of each type. */
  newest: Record<string, number>
  /** What the devtools filter by besides a type: the first cart's checkout and the first cart's stream, at the far end of the log. */
  oldest: {
    /** The correlation id of the first checkout (Cart.CheckedOut and Order.Placed), and its events' global positions. */
    correlationId: string
    correlationPositions: number[]
    /** The first cart's stream, its event count and the global position of its newest event. */
    stream: string
    streamEvents: number
    streamNewest: number
  }
  currentCart: { id: string; events: number; snapshotAt: number | null; itemCount: number; lines: number }
  head: { position: number; eventId: string }
  ms: number
}

declare global {
  interface Window {
    kirokuShopSeed?: { seed(options: ShopSeedOptions): Promise<ShopSeed> }
  }
}

const SECOND = 1000

/** A small deterministic generator, so every run seeds the same shape of log. */
function random(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = Math.imul(a ^ (a >>> 15), a | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

interface Planned {
  event: NewEvent
  stream: string
  /** The first event of the append it belongs to (the store's default correlation id). */
  correlationId: string
  /** Seconds since the first event. */
  at: number
}

async function seed({ database, events: total, currentCartEvents }: ShopSeedOptions): Promise<ShopSeed> {
  const started = performance.now()
  const rand = random(7)
  const between = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1))
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T
  const codes = Object.keys(coupons)

  const plan: Planned[] = []
  let clock = 0
  const add = (event: NewEvent, stream: string, correlationId = event.eventId) => plan.push({ event, stream, correlationId, at: clock })

  /** A cart's events as its owner makes them: adds, quantity changes, removals, a coupon now and then. */
  const fill = (cart: Cart, length: number, onEvent?: (count: number) => void) => {
    const stream = `${Cart.aggregateName}$${cart.id}`
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
      if (cart.unpublishedEvents.length === before) continue
      const event = cart.unpublishedEvents.at(-1) as NewEvent
      clock += between(4, 90)
      add(event, stream)
      made += 1
      onEvent?.(made)
    }
  }

  // Past carts, each checked out (Cart.CheckedOut and Order.Placed commit together, one
  // correlation); about one order in 40 is completed a few carts later.
  const orders = new Map<string, OrderRow & { placedAtSecond: number; completedAtSecond: number | null }>()
  const dueToComplete: Array<{ orderId: string; afterCart: number }> = []
  let carts = 0
  const complete = (orderId: string) => {
    clock += between(30, 600)
    add(OrderCompleted({ orderId }), `${Order.aggregateName}$${orderId}`)
    const row = orders.get(orderId)
    if (row) Object.assign(row, { status: 'completed', completedAtSecond: clock })
  }
  // All but the current cart's events and the Shopper event that names it.
  const pastEvents = total - currentCartEvents - 1
  while (plan.length < pastEvents) {
    for (let i = dueToComplete.length - 1; i >= 0; i--) {
      const due = dueToComplete[i] as { orderId: string; afterCart: number }
      if (due.afterCart <= carts && plan.length < pastEvents) {
        complete(due.orderId)
        dueToComplete.splice(i, 1)
      }
    }
    const left = pastEvents - plan.length
    if (left < 3) {
      // Too few to fill a cart and check it out: complete the oldest draft orders instead.
      const drafts = [...orders.values()].filter((row) => row.status === 'draft')
      for (const row of drafts.slice(0, left)) complete(row.orderId)
      if (drafts.length < left) throw new Error('bench/app-seed.ts: no draft order left to complete')
      break
    }
    clock += between(600, 3 * 3600)
    const cart = new Cart(crypto.randomUUID())
    fill(cart, left < 50 ? left - 2 : between(4, 40))
    const orderId = crypto.randomUUID()
    cart.checkout(orderId)
    const order = new Order(orderId)
    order.place(cart.id, cart.lines, cart.subtotal, cart.discount)
    clock += between(20, 120)
    const checkedOut = cart.unpublishedEvents.at(-1) as NewEvent
    add(checkedOut, `${Cart.aggregateName}$${cart.id}`)
    add(order.unpublishedEvents.at(-1) as NewEvent, `${Order.aggregateName}$${orderId}`, checkedOut.eventId)
    orders.set(orderId, {
      orderId,
      cartId: cart.id,
      status: 'draft',
      total: order.total,
      itemCount: cart.lines.reduce((n, l) => n + l.quantity, 0),
      placedAt: new Date(0),
      completedAt: null,
      placedAtSecond: clock,
      completedAtSecond: null,
    })
    carts += 1
    if (rand() < 0.024) dueToComplete.push({ orderId, afterCart: carts + between(0, 5) })
  }

  // The cart being filled now: its stream of some tens of events, a snapshot every 50.
  clock += between(600, 3 * 3600)
  const current = new Cart(crypto.randomUUID())
  const currentStream = `${Cart.aggregateName}$${current.id}`
  add(CartStarted({ shopperId: LOCAL_SHOPPER, cartId: current.id, previousCartId: null }), `${Shopper.aggregateName}$${LOCAL_SHOPPER}`)
  let snapshot: { version: number; eventId: string; state: CartState } | null = null
  fill(current, currentCartEvents, (count) => {
    if (count % Cart.snapshotEvery === 0) {
      snapshot = { version: count - 1, eventId: (current.unpublishedEvents.at(-1) as NewEvent).eventId, state: structuredClone(current.snapshotState() as CartState) }
    }
  })
  if (current.lines.length === 0) throw new Error('bench/app-seed.ts: the current cart came out empty')

  // Real times: the last event a minute ago.
  const origin = Date.now() - 60 * SECOND - clock * SECOND
  const timeOf = (second: number) => new Date(origin + second * SECOND)

  // Write it as the store would have, in bulk: the database is created by openEventStore with the
  // app's own read models, so its schema is exactly the app's.
  await request(indexedDB.deleteDatabase(database))
  const store = await openEventStore({ name: database, readModels: shopReadModels })
  const db = store.db.backendDB()
  const versions = new Map<string, number>()
  const types: Record<string, number> = {}
  const newest: Record<string, number> = {}
  // The first cart's checkout is the first correlation of two events; the first event is its cart's.
  const firstCheckout = plan.find((p, i) => plan[i + 1]?.correlationId === p.event.eventId) as Planned
  const oldest = { correlationId: firstCheckout.event.eventId, correlationPositions: [] as number[], stream: (plan[0] as Planned).stream, streamEvents: 0, streamNewest: 0 }
  let head = { position: 0, eventId: '' }
  const PER_TRANSACTION = 5_000
  for (let from = 0; from < plan.length; from += PER_TRANSACTION) {
    await new Promise<void>((resolve, reject) => {
      const tx = db.transaction([EVENTS, STREAMS], 'readwrite', { durability: 'relaxed' })
      tx.oncomplete = () => resolve()
      tx.onabort = tx.onerror = () => reject(tx.error)
      const log = tx.objectStore(EVENTS)
      const streams = tx.objectStore(STREAMS)
      for (const { event, stream, correlationId, at } of plan.slice(from, from + PER_TRANSACTION)) {
        const timestamp = timeOf(at)
        const record: EventRecord = { eventId: event.eventId, type: event.type, data: event.data, metadata: { ...event.metadata, correlationId, timestamp, validAt: timestamp } }
        types[event.type] = (types[event.type] ?? 0) + 1
        const position = (versions.get(stream) ?? -1) + 1
        versions.set(stream, position)
        const added = log.add(record)
        added.onsuccess = () => {
          const globalPosition = added.result as number
          head = { position: globalPosition, eventId: event.eventId }
          newest[event.type] = globalPosition
          if (correlationId === oldest.correlationId) oldest.correlationPositions.unshift(globalPosition)
          if (stream === oldest.stream) Object.assign(oldest, { streamEvents: oldest.streamEvents + 1, streamNewest: globalPosition })
          const row: StreamRecord = { stream, position, eventId: event.eventId, globalPosition, type: event.type, joinOrder: 0 }
          streams.add(row)
        }
      }
    })
  }

  const orderRows: OrderRow[] = [...orders.values()].map(({ placedAtSecond, completedAtSecond, ...row }) => ({
    ...row,
    placedAt: timeOf(placedAtSecond),
    completedAt: completedAtSecond === null ? null : timeOf(completedAtSecond),
  }))
  const taken = snapshot as { version: number; eventId: string; state: CartState } | null
  await new Promise<void>((resolve, reject) => {
    const tx = db.transaction([SNAPSHOTS, ORDERS, PROJECTIONS], 'readwrite', { durability: 'relaxed' })
    tx.oncomplete = () => resolve()
    tx.onabort = tx.onerror = () => reject(tx.error)
    if (taken) {
      const row: SnapshotRecord = { stream: currentStream, version: taken.version, eventId: taken.eventId, schemaVersion: Cart.snapshotVersion, state: taken.state, takenAt: timeOf(plan.find((p) => p.event.eventId === taken.eventId)?.at ?? clock) }
      tx.objectStore(SNAPSHOTS).put(row)
    }
    for (const row of orderRows) tx.objectStore(ORDERS).put(row)
    const checkpoint: CheckpointRecord = { name: orderListProjection.name, position: head.position, eventId: head.eventId, updatedAt: new Date(), version: orderListProjection.version ?? 1 }
    tx.objectStore(PROJECTIONS).put(checkpoint)
  })

  // Read the log once, as the bench page does after seeding (bench/fixtures.ts, settle).
  let after = 0
  for (;;) {
    const keys = await request(db.transaction(EVENTS).objectStore(EVENTS).getAllKeys(IDBKeyRange.lowerBound(after, true), 10_000))
    if (keys.length < 10_000) break
    after = keys.at(-1) as number
  }
  store.close()

  return {
    events: plan.length,
    carts: carts + 1,
    orders: orders.size,
    completedOrders: orderRows.filter((row) => row.status === 'completed').length,
    types,
    newest,
    oldest,
    currentCart: {
      id: current.id,
      events: currentCartEvents,
      snapshotAt: taken?.version ?? null,
      itemCount: current.lines.reduce((n, l) => n + l.quantity, 0),
      lines: current.lines.length,
    },
    head,
    ms: Math.round(performance.now() - started),
  }
}

window.kirokuShopSeed = { seed }
