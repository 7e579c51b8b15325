// Server subscriptions on both engines: catch-up, follow, a checkpoint that survives a restart,
// and on PostgreSQL the sequence-gap case (a transaction that commits after a later position).
// Then GET /api/orders over loopback on PGlite, kept by the orders projection.
import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { Queryable } from '../../src/server/db/Db'
import { catchUp, ordersProjection, subscribe, type StoredEvent, type Subscription } from './support/shopProjections'
import { push } from './support/shopSync'
import { engines } from './support/engines'
import { loopbackServer, signUp as signUpAt } from './support/loopback'

const ENGINES = engines()

async function addUser(db: Queryable, email = 'ada@example.com'): Promise<string> {
  const [row] = await db.query<{ id: string }>('INSERT INTO users (email, password_hash) VALUES ($1, $2) RETURNING id', [email, 'scrypt$x'])
  return String(row!.id)
}

let partitionPosition = 0
/** Stores one event in a stream of its own (through `q`: the Db, or a transaction held open). */
async function insertEvent(q: Queryable, userId: string, data: Record<string, unknown> = {}): Promise<number> {
  const stream = `Test$${randomUUID()}`
  await q.query('INSERT INTO streams (stream, user_id, version) VALUES ($1, $2, 0)', [stream, userId])
  const [row] = await q.query<{ global_position: string }>(
    `INSERT INTO events (user_id, partition_position, stream, stream_position, event_id, type, data, metadata, client_id)
     VALUES ($1, $2, $3, 0, $4, 'Test.Happened', $5, '{}', 'test') RETURNING global_position`,
    [userId, ++partitionPosition, stream, randomUUID(), data],
  )
  return Number(row!.global_position)
}

/** A subscription that records every event it is handed (to count applies). */
function recorder(name = 'recorder'): Subscription & { seen: number[] } {
  const seen: number[] = []
  return {
    name,
    batchSize: 2,
    seen,
    async handle(events: readonly StoredEvent[]) {
      seen.push(...events.map((event) => event.globalPosition))
    },
  }
}

async function eventually(check: () => Promise<void> | void, ms = 5_000): Promise<void> {
  const until = Date.now() + ms
  for (;;) {
    try {
      return await check()
    } catch (error) {
      if (Date.now() > until) throw error
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }
}

/** A valid Order.Placed (catalog price; a coupon's discount or none), as the domain checks it on push. */
const placed = (orderId: string, discount = 0) => ({
  eventId: randomUUID(),
  type: 'Order.Placed',
  data: { orderId, cartId: `cart-${orderId}`, lines: [{ itemId: 'hojicha', quantity: 2, price: 900 }], subtotal: 1800, discount, total: 1800 - discount },
  metadata: { timestamp: '2026-11-29T10:00:00.000Z' },
})

/** The commit of the cart `placed(orderId, discount)` names, checked out to that order: an order is placed only from its own account's cart. */
const cartOf = (orderId: string, discount = 0) => {
  const cartId = `cart-${orderId}`
  const coupon = Object.entries({ WELCOME500: 500, SPRING300: 300 }).find(([, off]) => off === discount)?.[0]
  const event = (type: string, data: Record<string, unknown>) => ({ eventId: randomUUID(), type, data: { cartId, ...data }, metadata: {} })
  return {
    stream: `Cart$${cartId}`,
    expectedVersion: -1,
    events: [
      event('Cart.ItemAdded', { itemId: 'hojicha', quantity: 2, price: 900 }),
      ...(coupon === undefined ? [] : [event('Cart.CouponApplied', { code: coupon, discount })]),
      event('Cart.CheckedOut', { orderId }),
    ],
  }
}

describe.each(ENGINES)('server subscriptions on $name', (engine) => {
  it('catches up on all users\' events, then follows new ones (NOTIFY wakes it before the poll)', async () => {
    const db = await engine.open()
    const [ann, bob] = [await addUser(db, 'ann@example.com'), await addUser(db, 'bob@example.com')]
    const before = [await insertEvent(db, ann), await insertEvent(db, bob), await insertEvent(db, ann)]
    const sub = recorder()
    const runner = subscribe(db, sub, { pollMs: 60_000 })
    try {
      await eventually(() => expect(sub.seen).toEqual(before))
      // One new event (a cart's first item) for the subscription to follow.
      const added = { eventId: randomUUID(), type: 'Cart.ItemAdded', data: { cartId: 'c-1', itemId: 'hojicha', quantity: 2, price: 900 }, metadata: {} }
      const pushed = await push(db, bob, { clientId: 'phone', commits: [{ stream: 'Cart$c-1', expectedVersion: -1, events: [added] }] })
      expect(pushed.results[0]).toMatchObject({ status: 'accepted' })
      await eventually(() => expect(sub.seen).toHaveLength(4))
      expect(sub.seen.slice(0, 3)).toEqual(before)
    } finally {
      await runner.stop()
    }
  })

  it('keeps its checkpoint across a restart: nothing is applied twice', async () => {
    const db = await engine.open()
    const ann = await addUser(db)
    const first = [await insertEvent(db, ann), await insertEvent(db, ann), await insertEvent(db, ann)]
    const sub = recorder('restartable')
    let runner = subscribe(db, sub, { pollMs: 20 })
    await eventually(() => expect(sub.seen).toEqual(first))
    await runner.stop()
    const second = [await insertEvent(db, ann), await insertEvent(db, ann)]
    runner = subscribe(db, sub, { pollMs: 20 })
    await eventually(() => expect(sub.seen).toEqual([...first, ...second]))
    await runner.stop()
    expect(await catchUp(db, sub)).toBe(0)
    expect(sub.seen).toEqual([...first, ...second])
    const [checkpoint] = await db.query<{ global_position: number }>("SELECT global_position::int AS global_position FROM subscription_checkpoints WHERE name = 'restartable'")
    expect(checkpoint!.global_position).toBe(second[1])
  })

  it('rolls the checkpoint back with a batch whose handler throws', async () => {
    const db = await engine.open()
    const ann = await addUser(db)
    const positions = [await insertEvent(db, ann)]
    // A failure that blames no event (the read model's database went away) rolls back and rejects; one
    // that an event causes is parked instead (test/server/projectionParking.test.ts).
    const failing: Subscription = { name: 'flaky', handle: () => Promise.reject(Object.assign(new Error('read model down'), { code: '57P01' })) }
    await expect(catchUp(db, failing)).rejects.toThrow('read model down')
    const sub = recorder('flaky')
    expect(await catchUp(db, sub)).toBe(1)
    expect(sub.seen).toEqual(positions)
  })

  it('keeps an order history per user from Order.Placed and Order.Completed', async () => {
    const db = await engine.open()
    const [ann, bob] = [await addUser(db, 'ann@example.com'), await addUser(db, 'bob@example.com')]
    const completed = { eventId: randomUUID(), type: 'Order.Completed', data: { orderId: 'o-1' }, metadata: { timestamp: '2026-11-29T11:00:00.000Z' } }
    await push(db, ann, { clientId: 'laptop', commits: [cartOf('o-1', 500)] })
    await push(db, bob, { clientId: 'phone', commits: [cartOf('o-2')] })
    expect((await push(db, ann, { clientId: 'laptop', commits: [{ stream: 'Order$o-1', expectedVersion: -1, events: [placed('o-1', 500), completed] }] })).results).toMatchObject([{ status: 'accepted' }])
    expect((await push(db, bob, { clientId: 'phone', commits: [{ stream: 'Order$o-2', expectedVersion: -1, events: [placed('o-2')] }] })).results).toMatchObject([{ status: 'accepted' }])
    await catchUp(db, ordersProjection)
    const rows = await db.query('SELECT user_id::text AS user_id, order_id, status, discount::int AS discount, total::int AS total, completed_at IS NOT NULL AS done FROM orders ORDER BY order_id')
    expect(rows).toEqual([
      { user_id: ann, order_id: 'o-1', status: 'completed', discount: 500, total: 1300, done: true },
      { user_id: bob, order_id: 'o-2', status: 'placed', discount: 0, total: 1800, done: false },
    ])
  })
})

describe('server subscriptions on PostgreSQL only', () => {
  const postgres = ENGINES.find((engine) => engine.name === 'postgres')!

  it('does not pass a position whose transaction commits after a later one (the sequence gap), and reads both in commit order once it commits', async () => {
    const db = await postgres.open()
    const ann = await addUser(db)
    const sub = recorder('gap')
    sub.batchSize = 100

    let inserted!: (position: number) => void
    const aInserted = new Promise<number>((resolve) => (inserted = resolve))
    let commitA!: () => void
    const aHeld = new Promise<void>((resolve) => (commitA = resolve))
    const a = db.transaction(async (tx) => {
      inserted(await insertEvent(tx, ann))
      await aHeld
    })
    const positionA = await aInserted
    const positionB = await insertEvent(db, ann) // B: a later position, committed first
    expect(positionB).toBeGreaterThan(positionA)
    // The trap: a reader paging by global position alone would see B now and move past A for good.
    expect((await db.query<{ p: number }>('SELECT global_position::int AS p FROM events WHERE global_position > 0')).map((row) => row.p)).toEqual([positionB])

    expect(await catchUp(db, sub)).toBe(0)
    expect(sub.seen).toEqual([])
    expect(await db.query("SELECT transaction_id::text AS tx, global_position::int AS p FROM subscription_checkpoints WHERE name = 'gap'")).toEqual([{ tx: '0', p: 0 }])

    commitA()
    await a
    expect(await catchUp(db, sub)).toBe(2)
    expect(sub.seen).toEqual([positionA, positionB])
  })
})

describe('GET /api/orders over HTTP (PGlite)', () => {
  // The orders projection follows the pushes, polling fast so the test waits little.
  const server = loopbackServer({}, (db) => subscribe(db, ordersProjection, { pollMs: 50 }))
  const signUp = (email: string) => signUpAt(server.base, email)

  const orders = async (cookie?: string) => fetch(`${server.base}/api/orders`, { headers: cookie === undefined ? {} : { cookie } })

  it('serves the signed-in user\'s orders only, newest first, and 401 without a session', async () => {
    const ann = await signUp('ann@example.com')
    const bob = await signUp('bob@example.com')
    const older = { ...placed('o-old'), metadata: { timestamp: '2026-11-28T09:00:00.000Z' } }
    const newer = { ...placed('o-new', 300), metadata: { timestamp: '2026-11-29T09:00:00.000Z' } }
    for (const [stream, event] of [['Order$o-old', older], ['Order$o-new', newer]] as const) {
      const cart = cartOf(event.data.orderId, event.data.discount)
      const cartPushed = await fetch(`${server.base}/api/sync/push`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: ann },
        body: JSON.stringify({ clientId: 'laptop', commits: [cart] }),
      })
      expect(await cartPushed.json()).toMatchObject({ results: [{ status: 'accepted' }] })
      const pushed = await fetch(`${server.base}/api/sync/push`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: ann },
        body: JSON.stringify({ clientId: 'laptop', commits: [{ stream, expectedVersion: -1, events: [event] }] }),
      })
      expect(pushed.status).toBe(200)
      expect(await pushed.json()).toMatchObject({ results: [{ status: 'accepted' }] })
    }
    await eventually(async () => {
      const response = await orders(ann)
      expect(response.status).toBe(200)
      const body = (await response.json()) as { orders: Array<{ id: string }> }
      expect(body.orders.map((order) => order.id)).toEqual(['o-new', 'o-old'])
    })
    const body = (await (await orders(ann)).json()) as { orders: unknown[] }
    // The time of record is the server's, not the client's timestamp.
    const [recorded] = await server.db.query<{ at: Date }>("SELECT recorded_at AS at FROM events WHERE type = 'Order.Placed' AND data->>'orderId' = 'o-new'")
    expect(body.orders[0]).toEqual({
      id: 'o-new',
      status: 'placed',
      lines: [{ itemId: 'hojicha', quantity: 2, price: 900 }],
      subtotal: 1800,
      discount: 300,
      total: 1500,
      placedAt: recorded!.at.toISOString(),
      completedAt: null,
    })
    expect(await (await orders(bob)).json()).toEqual({ orders: [] })
    const anonymous = await orders()
    expect(anonymous.status).toBe(401)
  })
})
