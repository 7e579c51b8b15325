// A server projection that cannot apply one event parks it, with its error, and goes on (issue
// 24, item 2): every other event is applied once, in commit order; a new runner neither re-applies
// nor re-parks; a retry applies it once its cause is fixed. A failure that is not an event's fault
// (the database unavailable) parks nothing. And the orders projection takes its times from the
// server's recordedAt, so the client timestamps, stored straight into the events table
// (past the push's own check), wedge nothing.
import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { Db, Queryable, Row } from '../../src/server/db/Db'
import {
  BEHIND_PARKED,
  catchUp,
  isUnavailable,
  ParkingHalted,
  ordersOf,
  ordersProjection,
  parkedEvents,
  retryParked,
  subscribe,
  type ParkStreak,
  type StoredEvent,
  type Subscription,
} from './support/shopProjections'
import { engines } from './support/engines'

const ENGINES = engines()

/** The timestamp: a valid JavaScript date that PostgreSQL's timestamptz cannot hold (22009). */
const FAR_FUTURE = '+275760-09-13T00:00:00.000Z'

async function addUser(db: Queryable, email = 'ada@example.com'): Promise<string> {
  const [row] = await db.query<{ id: string }>('INSERT INTO users (email, password_hash) VALUES ($1, $2) RETURNING id', [email, 'scrypt$x'])
  return String(row!.id)
}

interface Stored {
  position: number
  eventId: string
}

let partitionPosition = 0
/** Stores one event straight into the events table (no push: none of its checks), in a stream of its own unless one is named. */
async function insertEvent(
  q: Queryable,
  userId: string,
  event: { type?: string; data?: Record<string, unknown>; metadata?: Record<string, unknown>; stream?: string; recordedAt?: string } = {},
): Promise<Stored> {
  const stream = event.stream ?? `Test$${randomUUID()}`
  const [{ version }] = (await q.query<{ version: number }>(
    `INSERT INTO streams (stream, user_id, version) VALUES ($1, $2, 0)
     ON CONFLICT (stream) DO UPDATE SET version = streams.version + 1 RETURNING version::int AS version`,
    [stream, userId],
  )) as [{ version: number }]
  const eventId = randomUUID()
  const [row] = await q.query<{ global_position: string }>(
    `INSERT INTO events (user_id, partition_position, stream, stream_position, event_id, type, data, metadata, client_id, recorded_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'test', coalesce($9::timestamptz, now())) RETURNING global_position`,
    [userId, ++partitionPosition, stream, version, eventId, event.type ?? 'Test.Happened', event.data ?? {}, event.metadata ?? {}, event.recordedAt ?? null],
  )
  return { position: Number(row!.global_position), eventId }
}

/**
 * A subscription that records each event it applies in the table applied_test, and cannot apply
 * an event whose data says `poison` until its id is in `fixed`: 'db' makes PostgreSQL fail the
 * statement (22009, which aborts the transaction), 'js' throws a TypeError.
 */
function picky(name = 'picky', batchSize = 3): Subscription & { fixed: Set<string>; tries: number; handed: number[][] } {
  const sub = {
    name,
    batchSize,
    fixed: new Set<string>(),
    tries: 0,
    /** The positions of each call's events. */
    handed: [] as number[][],
    async handle(events: readonly StoredEvent[], tx: Queryable) {
      sub.handed.push(events.map((event) => event.globalPosition))
      for (const event of events) {
        const poison = (event.data as { poison?: string }).poison
        if (poison !== undefined && !sub.fixed.has(event.eventId)) {
          sub.tries++
          if (poison === 'db') await tx.query('SELECT $1::text::timestamptz', [FAR_FUTURE])
          else throw new TypeError(`cannot apply this event (try ${sub.tries})`)
        }
        await tx.query('INSERT INTO applied_test (subscription, global_position) VALUES ($1, $2)', [name, event.globalPosition])
      }
    },
  }
  return sub
}

async function withAppliedTable(db: Db): Promise<Db> {
  await db.query('CREATE TABLE applied_test (seq bigserial PRIMARY KEY, subscription text NOT NULL, global_position bigint NOT NULL)')
  return db
}

/** The positions the subscription applied, in the order it applied them. */
async function applied(db: Queryable, name = 'picky'): Promise<number[]> {
  const rows = await db.query<{ p: number }>('SELECT global_position::int AS p FROM applied_test WHERE subscription = $1 ORDER BY seq', [name])
  return rows.map((row) => row.p)
}

async function checkpointOf(db: Queryable, name: string): Promise<number | undefined> {
  const [row] = await db.query<{ p: number }>('SELECT global_position::int AS p FROM subscription_checkpoints WHERE name = $1', [name])
  return row?.p
}

/** The Db, recording in `statements` each statement run inside its transactions. */
function recording(db: Db, statements: string[]): Db {
  return {
    ...failingOnce(db, () => false, new Error('never')),
    transaction: (fn) => db.transaction((tx) => fn({ query: <T extends Row>(sql: string, params?: readonly unknown[]) => (statements.push(sql), tx.query<T>(sql, params)) })),
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** The Db, except that inside transactions the first statement `fails` picks is refused with `error`. */
function failingOnce(db: Db, fails: (sql: string) => boolean, error: Error): Db {
  let failed = false
  const refuse = (sql: string) => !failed && fails(sql) && (failed = true)
  return {
    storage: db.storage,
    query: <T extends Row>(sql: string, params?: readonly unknown[]) => db.query<T>(sql, params),
    transaction: (fn) =>
      db.transaction((tx) => fn({ query: <T extends Row>(sql: string, params?: readonly unknown[]) => (refuse(sql) ? Promise.reject(error) : tx.query<T>(sql, params)) })),
    listen: (channel, listener) => db.listen(channel, listener),
    notify: (channel, payload) => db.notify(channel, payload),
    close: () => db.close(),
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

/** Five events in commit order: good, poisoned (database error), good, poisoned (TypeError), good. */
async function fiveEvents(db: Db) {
  const ann = await addUser(db)
  const [a, dbPoison, b, jsPoison, c] = [
    await insertEvent(db, ann),
    await insertEvent(db, ann, { data: { poison: 'db', note: 'secret-payload' } }),
    await insertEvent(db, ann),
    await insertEvent(db, ann, { data: { poison: 'js', note: 'secret-payload' } }),
    await insertEvent(db, ann),
  ]
  return { ann, a: a!, dbPoison: dbPoison!, b: b!, jsPoison: jsPoison!, c: c! }
}

describe.each(ENGINES)('parking events a server projection cannot apply, on $name', (engine) => {
  it('parks each event that fails on its own, with its error, moves past it, and applies every other event once, in commit order', async () => {
    const db = await withAppliedTable(await engine.open())
    const { a, dbPoison, b, jsPoison, c } = await fiveEvents(db)
    const sub = picky()
    const logged: string[] = []
    expect(await catchUp(db, sub, { onParked: (parked) => logged.push(parked.eventId) })).toBe(3)
    expect(await applied(db)).toEqual([a.position, b.position, c.position])
    expect(logged).toEqual([dbPoison.eventId, jsPoison.eventId])
    const parked = await parkedEvents(db, 'picky')
    expect(parked).toMatchObject([
      { subscription: 'picky', globalPosition: dbPoison.position, eventId: dbPoison.eventId, type: 'Test.Happened', error: { code: '22009' }, attempts: 1 },
      { subscription: 'picky', globalPosition: jsPoison.position, eventId: jsPoison.eventId, error: { code: 'TypeError', message: 'cannot apply this event (try 4)' }, attempts: 1 },
    ])
    expect(parked[0]!.error.message).toContain(FAR_FUTURE)
    expect(parked[0]!.transactionId).toMatch(/^\d+$/)
    expect(parked[0]!.parkedAt).toBeInstanceOf(Date)
    expect(await checkpointOf(db, 'picky')).toBe(c.position)
    // Caught up: nothing is applied or parked again.
    expect(await catchUp(db, sub)).toBe(0)
    expect(await applied(db)).toEqual([a.position, b.position, c.position])
    expect((await parkedEvents(db)).map((event) => event.attempts)).toEqual([1, 1])
  })

  it('a runner logs one line per parked event, with no event data, and a new runner neither re-applies nor re-parks', async () => {
    const db = await withAppliedTable(await engine.open())
    const { ann, a, dbPoison, b, jsPoison, c } = await fiveEvents(db)
    const sub = picky()
    const lines: string[] = []
    let runner = subscribe(db, sub, { pollMs: 20, log: (line) => lines.push(line) })
    try {
      await eventually(async () => expect(await applied(db)).toEqual([a.position, b.position, c.position]))
    } finally {
      await runner.stop()
    }
    expect(lines).toHaveLength(2)
    expect(lines[0]).toContain(`parked event ${dbPoison.eventId} (Test.Happened, global position ${dbPoison.position}) on error 22009`)
    expect(lines[1]).toContain(`parked event ${jsPoison.eventId}`)
    for (const line of lines) {
      expect(line).not.toContain('\n')
      expect(line).not.toContain(FAR_FUTURE)
      expect(line).not.toContain('secret-payload')
      expect(line).not.toContain('cannot apply this event')
    }

    const later = await insertEvent(db, ann)
    const again: string[] = []
    runner = subscribe(db, sub, { pollMs: 20, log: (line) => again.push(line) })
    try {
      await eventually(async () => expect(await applied(db)).toContain(later.position))
    } finally {
      await runner.stop()
    }
    expect(await applied(db)).toEqual([a.position, b.position, c.position, later.position])
    expect(again).toEqual([])
    expect((await parkedEvents(db)).map((event) => [event.eventId, event.attempts])).toEqual([
      [dbPoison.eventId, 1],
      [jsPoison.eventId, 1],
    ])
    expect(sub.tries).toBe(4) // each poisoned event tried twice: in its batch, then alone; never again
  })

  it('retries parked events: one that fails again stays with the new error, one that applies now leaves the table (applied after the events that followed it)', async () => {
    const db = await withAppliedTable(await engine.open())
    const { a, dbPoison, b, jsPoison, c } = await fiveEvents(db)
    const sub = picky()
    await catchUp(db, sub, { onParked: () => undefined })

    expect(await retryParked(db, sub)).toEqual([
      { eventId: dbPoison.eventId, globalPosition: dbPoison.position, type: 'Test.Happened', stream: expect.any(String), applied: false, behind: false, error: expect.objectContaining({ code: '22009' }) },
      {
        eventId: jsPoison.eventId,
        globalPosition: jsPoison.position,
        type: 'Test.Happened',
        stream: expect.any(String),
        applied: false,
        behind: false,
        error: { code: 'TypeError', message: 'cannot apply this event (try 6)' },
      },
    ])
    expect(await parkedEvents(db, 'picky')).toMatchObject([{ attempts: 2 }, { attempts: 2, error: { message: 'cannot apply this event (try 6)' } }])

    sub.fixed.add(dbPoison.eventId) // the operator fixed its cause
    expect(await retryParked(db, sub, { eventId: dbPoison.eventId.toUpperCase() })).toMatchObject([{ eventId: dbPoison.eventId, applied: true, error: null }])
    expect((await parkedEvents(db)).map((event) => event.eventId)).toEqual([jsPoison.eventId])
    expect(await applied(db)).toEqual([a.position, b.position, c.position, dbPoison.position])

    sub.fixed.add(jsPoison.eventId)
    expect(await retryParked(db, sub, { globalPosition: c.position })).toEqual([]) // applied, never parked
    expect(await retryParked(db, sub, { globalPosition: jsPoison.position })).toMatchObject([{ eventId: jsPoison.eventId, applied: true }])
    expect(await parkedEvents(db)).toEqual([])
    expect(await applied(db)).toEqual([a.position, b.position, c.position, dbPoison.position, jsPoison.position])
    expect(await retryParked(db, sub)).toEqual([])
    expect(await catchUp(db, sub)).toBe(0)
  })

  it('parks nothing on a failure that is not the event\'s (a connection error): the batch rolls back and is applied on the next try', async () => {
    const base = await withAppliedTable(await engine.open())
    const ann = await addUser(base)
    const events = [await insertEvent(base, ann), await insertEvent(base, ann)]
    const lost = Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })
    const db = failingOnce(base, (sql) => sql.includes('INSERT INTO applied_test'), lost)
    const sub = picky()
    await expect(catchUp(db, sub)).rejects.toBe(lost)
    expect(await parkedEvents(base)).toEqual([])
    expect(await applied(base)).toEqual([])
    expect(await checkpointOf(base, 'picky')).toBeUndefined() // the checkpoint's first row went back with the batch
    expect(await catchUp(db, sub)).toBe(2)
    expect(await applied(base)).toEqual(events.map((event) => event.position))
    expect(await parkedEvents(base)).toEqual([])
  })

  it('a runner whose database cuts the connection once tries again by itself: nothing parked, every event applied once', async () => {
    const base = await withAppliedTable(await engine.open())
    const ann = await addUser(base)
    const events = [await insertEvent(base, ann), await insertEvent(base, ann), await insertEvent(base, ann)]
    const db = failingOnce(base, (sql) => sql.includes('INSERT INTO applied_test'), new Error('Connection terminated unexpectedly'))
    const lines: string[] = []
    const runner = subscribe(db, picky(), { pollMs: 20, log: (line) => lines.push(line) })
    try {
      await eventually(async () => expect(await applied(base)).toEqual(events.map((event) => event.position)))
    } finally {
      await runner.stop()
    }
    expect(await parkedEvents(base)).toEqual([])
    expect(lines).toEqual([
      'kiroku projection picky: failed (Error: Connection terminated unexpectedly); nothing parked, trying again in 20 ms',
      'kiroku projection picky: running again after 1 failed try',
    ])
  })
})

describe.each(ENGINES)('parking keeps each stream in order, on $name', (engine) => {
  it('parks the later events of a stream behind its parked one (not tried), goes on with other streams, and a retry applies the stream in order, stopping at the first failure', async () => {
    const db = await withAppliedTable(await engine.open())
    const ann = await addUser(db)
    const [S, T] = ['Test$stream-s', 'Test$stream-t']
    // Batches of 3: [e1 t1 e2], [e3 t2 e4].
    const e1 = await insertEvent(db, ann, { stream: S, data: { poison: 'js' } })
    const t1 = await insertEvent(db, ann, { stream: T })
    const e2 = await insertEvent(db, ann, { stream: S })
    const e3 = await insertEvent(db, ann, { stream: S, data: { poison: 'db' } })
    const t2 = await insertEvent(db, ann, { stream: T })
    const e4 = await insertEvent(db, ann, { stream: S })
    const sub = picky()
    const logged: string[] = []
    expect(await catchUp(db, sub, { onParked: (parked) => logged.push(parked.eventId) })).toBe(2)
    expect(await applied(db)).toEqual([t1.position, t2.position])
    expect(logged).toEqual([e1.eventId, e2.eventId, e3.eventId, e4.eventId])
    const behindE1 = { behind: e1.position, attempts: 0, error: { code: BEHIND_PARKED, message: expect.stringContaining(`global position ${e1.position} of its stream`) } }
    expect(await parkedEvents(db, 'picky')).toMatchObject([
      { globalPosition: e1.position, stream: S, behind: null, attempts: 1, error: { code: 'TypeError' } },
      { globalPosition: e2.position, stream: S, ...behindE1 },
      { globalPosition: e3.position, stream: S, ...behindE1 },
      { globalPosition: e4.position, stream: S, ...behindE1 },
    ])
    // e3 (poisoned) was never tried, nor was e4 handed to the handler: only e1 failed, in its batch and alone.
    expect(sub.tries).toBe(2)
    expect(sub.handed.flat()).not.toContain(e3.position)
    expect(sub.handed.flat()).not.toContain(e4.position)
    expect(await checkpointOf(db, 'picky')).toBe(e4.position)

    // Still broken: the retry stops at e1, the rest stays parked behind it, untried.
    const entry = (event: Stored) => ({ eventId: event.eventId, globalPosition: event.position, type: 'Test.Happened', stream: S })
    expect(await retryParked(db, sub)).toEqual([
      { ...entry(e1), applied: false, behind: false, error: { code: 'TypeError', message: 'cannot apply this event (try 3)' } },
      { ...entry(e2), applied: false, behind: true, error: null },
      { ...entry(e3), applied: false, behind: true, error: null },
      { ...entry(e4), applied: false, behind: true, error: null },
    ])
    expect(sub.tries).toBe(3)
    expect(await applied(db)).toEqual([t1.position, t2.position])

    // e1 fixed: naming e2 (behind) retries its stream from the first, in order, up to e3, which fails again.
    sub.fixed.add(e1.eventId)
    expect(await retryParked(db, sub, { globalPosition: e2.position })).toEqual([
      { ...entry(e1), applied: true, behind: false, error: null },
      { ...entry(e2), applied: true, behind: false, error: null },
      { ...entry(e3), applied: false, behind: false, error: expect.objectContaining({ code: '22009' }) },
      { ...entry(e4), applied: false, behind: true, error: null },
    ])
    expect(await applied(db)).toEqual([t1.position, t2.position, e1.position, e2.position])
    expect(await parkedEvents(db, 'picky')).toMatchObject([
      { globalPosition: e3.position, behind: null, attempts: 1, error: { code: '22009' } },
      { globalPosition: e4.position, behind: e3.position, attempts: 0, error: { code: BEHIND_PARKED, message: expect.stringContaining(`global position ${e3.position}`) } },
    ])

    // The stream is still held: its new event is parked behind e3; the other stream goes on.
    const e5 = await insertEvent(db, ann, { stream: S })
    const t3 = await insertEvent(db, ann, { stream: T })
    expect(await catchUp(db, sub, { onParked: () => undefined })).toBe(1)
    expect(await applied(db)).toEqual([t1.position, t2.position, e1.position, e2.position, t3.position])
    expect((await parkedEvents(db, 'picky')).map((parked) => [parked.globalPosition, parked.behind])).toEqual([
      [e3.position, null],
      [e4.position, e3.position],
      [e5.position, e3.position],
    ])

    // e3 fixed: the stream's parked events apply in order, and the stream is free again.
    sub.fixed.add(e3.eventId)
    expect((await retryParked(db, sub, { eventId: e4.eventId })).map((result) => [result.globalPosition, result.applied])).toEqual([
      [e3.position, true],
      [e4.position, true],
      [e5.position, true],
    ])
    expect(await parkedEvents(db)).toEqual([])
    const e6 = await insertEvent(db, ann, { stream: S })
    expect(await catchUp(db, sub)).toBe(1)
    expect(await applied(db)).toEqual([t1.position, t2.position, e1.position, e2.position, t3.position, e3.position, e4.position, e5.position, e6.position])
    expect(await parkedEvents(db)).toEqual([])
  })

  it('a runner logs an event parked behind another of its stream in one line, with no event data', async () => {
    const db = await withAppliedTable(await engine.open())
    const ann = await addUser(db)
    const first = await insertEvent(db, ann, { stream: 'Test$held', data: { poison: 'js', note: 'secret-payload' } })
    const next = await insertEvent(db, ann, { stream: 'Test$held', data: { note: 'secret-payload' } })
    const other = await insertEvent(db, ann)
    const lines: string[] = []
    const runner = subscribe(db, picky(), { pollMs: 20, log: (line) => lines.push(line) })
    try {
      await eventually(async () => expect(await applied(db)).toEqual([other.position]))
      await eventually(() => expect(lines).toHaveLength(2))
    } finally {
      await runner.stop()
    }
    expect(lines[0]).toContain(`parked event ${first.eventId} (Test.Happened, global position ${first.position}) on error TypeError`)
    expect(lines[1]).toBe(
      `kiroku projection picky: parked event ${next.eventId} (Test.Happened, global position ${next.position}) behind the parked event at global position ${first.position} ` +
        'of its stream; other streams go on. See it with: npm run projections -- list picky',
    )
    for (const line of lines) expect(line).not.toContain('secret-payload')
  })

  it('asks which streams have parked events once per batch, and not at all while the subscription has none', async () => {
    const base = await withAppliedTable(await engine.open())
    const ann = await addUser(base)
    const statements: string[] = []
    const db = recording(base, statements)
    const asked = () => statements.filter((sql) => sql.includes('DISTINCT ON (p.stream)')).length
    for (let i = 0; i < 6; i++) await insertEvent(base, ann)
    const sub = picky()
    expect(await catchUp(db, sub)).toBe(6)
    expect(asked()).toBe(0)
    const perBatch = statements.filter((sql) => !sql.includes('applied_test')).length / 3 // batches of 3, 3 and none
    expect(perBatch).toBeLessThanOrEqual(6)

    await insertEvent(base, ann, { data: { poison: 'js' } })
    await catchUp(db, sub, { onParked: () => undefined })
    expect(asked()).toBe(0) // nothing was parked when that batch began
    for (let i = 0; i < 4; i++) await insertEvent(base, ann)
    expect(await catchUp(db, sub)).toBe(4)
    expect(asked()).toBe(2) // two batches read events ([2 of 3 + 1], [3 more]), one question each
  })
})

describe.each(ENGINES)('the orders projection on $name', (engine) => {
  const orderPlaced = (orderId: string, timestamp: unknown) => ({
    type: 'Order.Placed',
    stream: `Order$${orderId}`,
    data: { orderId, cartId: `cart-${orderId}`, lines: [{ itemId: 'hojicha', quantity: 1, price: 900 }], subtotal: 900, discount: 0, total: 900 },
    metadata: timestamp === undefined ? {} : { timestamp },
  })

  it('takes placed and completed times from recordedAt: a huge, tiny or malformed client timestamp changes nothing and parks nothing', async () => {
    const db = await engine.open()
    const [ann, bob] = [await addUser(db, 'ann@example.com'), await addUser(db, 'bob@example.com')]
    const at = (minute: number) => `2026-11-29T10:${String(minute).padStart(2, '0')}:00.000Z`
    await insertEvent(db, ann, { ...orderPlaced('o-far', FAR_FUTURE), recordedAt: at(1) })
    await insertEvent(db, ann, { ...orderPlaced('o-zero', '0000-01-01T00:00:00.000Z'), recordedAt: at(2) })
    await insertEvent(db, ann, { ...orderPlaced('o-min', '-271821-04-20T00:00:00.000Z'), recordedAt: at(3) })
    await insertEvent(db, ann, { ...orderPlaced('o-text', 'yesterday'), recordedAt: at(4) })
    // Pushed together: one time of record, in commit order.
    await insertEvent(db, ann, { ...orderPlaced('o-number', 8.64e15), recordedAt: at(5) })
    await insertEvent(db, ann, { ...orderPlaced('o-none', undefined), recordedAt: at(5) })
    await insertEvent(db, ann, { type: 'Order.Completed', stream: 'Order$o-far', data: { orderId: 'o-far' }, metadata: { timestamp: FAR_FUTURE }, recordedAt: at(6) })
    await insertEvent(db, bob, { ...orderPlaced('o-bob', '2020-01-01T00:00:00.000Z'), recordedAt: at(7) })

    await catchUp(db, ordersProjection)
    expect(await parkedEvents(db)).toEqual([])
    expect((await ordersOf(db, ann)).map((order) => [order.id, order.placedAt, order.completedAt])).toEqual([
      ['o-none', at(5), null],
      ['o-number', at(5), null],
      ['o-text', at(4), null],
      ['o-min', at(3), null],
      ['o-zero', at(2), null],
      ['o-far', at(1), at(6)],
    ])
    expect(await ordersOf(db, bob)).toMatchObject([{ id: 'o-bob', placedAt: at(7), status: 'placed' }])
  })

  it('an Order.Completed behind its parked Order.Placed waits for it: after the retry the order is completed, and other orders went on', async () => {
    const db = await engine.open()
    const ann = await addUser(db, 'ann@example.com')
    let broken = true
    const orders: Subscription = {
      ...ordersProjection,
      async handle(events, tx) {
        const placedO1 = events.some((event) => event.type === 'Order.Placed' && (event.data as { orderId?: string }).orderId === 'o-1')
        if (broken && placedO1) throw new TypeError("Cannot read properties of undefined (reading 'lines')")
        await ordersProjection.handle(events, tx)
      },
    }
    const at = (minute: number) => `2026-11-29T10:${String(minute).padStart(2, '0')}:00.000Z`
    const placed = await insertEvent(db, ann, { ...orderPlaced('o-1', undefined), recordedAt: at(1) })
    await insertEvent(db, ann, { ...orderPlaced('o-2', undefined), recordedAt: at(2) })
    const completed = await insertEvent(db, ann, { type: 'Order.Completed', stream: 'Order$o-1', data: { orderId: 'o-1' }, recordedAt: at(3) })
    await insertEvent(db, ann, { type: 'Order.Completed', stream: 'Order$o-2', data: { orderId: 'o-2' }, recordedAt: at(4) })
    await catchUp(db, orders, { onParked: () => undefined })
    expect((await ordersOf(db, ann)).map((order) => [order.id, order.status])).toEqual([['o-2', 'completed']])
    expect(await parkedEvents(db, 'orders')).toMatchObject([
      { globalPosition: placed.position, stream: 'Order$o-1', type: 'Order.Placed', behind: null, error: { code: 'TypeError' } },
      { globalPosition: completed.position, stream: 'Order$o-1', type: 'Order.Completed', behind: placed.position, error: { code: BEHIND_PARKED } },
    ])

    broken = false // a fixed handler deployed
    expect((await retryParked(db, orders)).map((result) => [result.type, result.applied])).toEqual([
      ['Order.Placed', true],
      ['Order.Completed', true],
    ])
    expect(await parkedEvents(db)).toEqual([])
    expect((await ordersOf(db, ann)).map((order) => [order.id, order.status, order.placedAt, order.completedAt])).toEqual([
      ['o-2', 'completed', at(2), at(4)],
      ['o-1', 'completed', at(1), at(3)],
    ])
  })

  it('an order stored with the issue\'s timestamp holds back no later order, also across a restart', async () => {
    const db = await engine.open()
    const [ann, bob] = [await addUser(db, 'ann@example.com'), await addUser(db, 'bob@example.com')]
    await insertEvent(db, ann, orderPlaced('o-far', FAR_FUTURE))
    const lines: string[] = []
    let runner = subscribe(db, ordersProjection, { pollMs: 20, log: (line) => lines.push(line) })
    await insertEvent(db, bob, orderPlaced('o-bob', '2026-11-29T10:00:00.000Z'))
    try {
      await eventually(async () => expect((await ordersOf(db, bob)).map((order) => order.id)).toEqual(['o-bob']))
    } finally {
      await runner.stop()
    }
    runner = subscribe(db, ordersProjection, { pollMs: 20, log: (line) => lines.push(line) })
    try {
      await insertEvent(db, ann, orderPlaced('o-next', '2026-11-29T10:00:00.000Z'))
      await eventually(async () => expect((await ordersOf(db, ann)).map((order) => order.id)).toEqual(['o-next', 'o-far']))
    } finally {
      await runner.stop()
    }
    expect(await parkedEvents(db)).toEqual([])
    expect(lines).toEqual([])
  })
})

describe.each(ENGINES)('a handler that fails every event alike, on $name', (engine) => {
  const buggy = () => {
    const sub = {
      name: 'buggy',
      batchSize: 4,
      bug: true,
      async handle(events: readonly StoredEvent[], tx: Queryable) {
        for (const event of events) {
          if (sub.bug && (event.data as { ok?: boolean }).ok !== true) throw new TypeError("Cannot read properties of undefined (reading 'x')")
          await tx.query('INSERT INTO applied_test (subscription, global_position) VALUES ($1, $2)', ['buggy', event.globalPosition])
        }
      },
    }
    return sub
  }

  it('parks at most maxSameErrorParks events in a row, then parks no more: the runner backs off with one log line, and goes on once the handler is fixed', async () => {
    const db = await withAppliedTable(await engine.open())
    const ann = await addUser(db)
    const events: Stored[] = []
    for (let i = 0; i < 12; i++) events.push(await insertEvent(db, ann))
    const sub = buggy()
    const lines: string[] = []
    const halt = (line: string) => line.includes('Parking stopped')
    const runner = subscribe(db, sub, { pollMs: 10, maxRetryMs: 40, maxSameErrorParks: 5, log: (line) => lines.push(line) })
    try {
      await eventually(() => expect(lines.some(halt)).toBe(true))
      await sleep(300) // several tries, backing off
      // Batches of 4: the first parked 4; the second failed on its 6th event and rolled back whole, 5th included.
      expect((await parkedEvents(db, 'buggy')).map((parked) => parked.globalPosition)).toEqual(events.slice(0, 4).map((event) => event.position))
      expect(lines.filter(halt)).toEqual([
        'kiroku projection buggy: more than 5 events in a row failed on error TypeError, a fault of the handler rather than of the events? ' +
          'Parking stopped: nothing more parked, trying again in 10 ms, backing off up to 40 ms',
      ])
      expect(lines).toHaveLength(5) // 4 parked, 1 stop
      sub.bug = false
      await eventually(async () => expect(await applied(db, 'buggy')).toEqual(events.slice(4).map((event) => event.position)))
    } finally {
      await runner.stop()
    }
    expect(lines[5]).toMatch(/^kiroku projection buggy: running again after \d+ failed tries$/)
    expect(lines).toHaveLength(6)
    expect(await parkedEvents(db, 'buggy')).toHaveLength(4)
  })

  it('counts only parks in a row with one code: an applied event starts again, and a stopped batch rolls back with the streak as it was', async () => {
    const db = await withAppliedTable(await engine.open())
    const ann = await addUser(db)
    for (let i = 0; i < 6; i++) await insertEvent(db, ann, { data: { ok: i % 2 === 1 } }) // bad, good, bad, good, bad, good
    const sub = buggy()
    const streak: ParkStreak = { limit: 1, code: null, count: 0 }
    await catchUp(db, sub, { onParked: () => undefined, streak })
    expect(await parkedEvents(db, 'buggy')).toHaveLength(3)
    expect(streak).toEqual({ limit: 1, code: null, count: 0 })

    for (let i = 0; i < 3; i++) await insertEvent(db, ann) // bad, bad, bad: one batch
    const halted = catchUp(db, sub, { onParked: () => undefined, streak })
    await expect(halted).rejects.toBeInstanceOf(ParkingHalted)
    await expect(halted).rejects.toMatchObject({ errorCode: 'TypeError', count: 1 })
    expect(await parkedEvents(db, 'buggy')).toHaveLength(3) // the batch's first park went back with it
    expect(streak).toEqual({ limit: 1, code: null, count: 0 })
  })
})

describe('which failures blame no event', () => {
  const coded = (code: string, message = 'x') => Object.assign(new Error(message), { code })

  it('the database unreachable, closing, cut off or out of resources, and the code\'s own SQL: no event is parked for those', () => {
    for (const error of [
      coded('08006'),
      coded('57P01'),
      coded('57P03'),
      coded('53100'),
      coded('40001'),
      coded('42P01'),
      coded('ECONNREFUSED'),
      new Error('PGlite is closed'),
      new Error('Cannot use a pool after calling end on the pool'),
      new Error('Connection terminated unexpectedly'),
    ]) {
      expect(isUnavailable(error), String(error)).toBe(true)
    }
  })

  it('an event\'s own data, or a handler that cannot read it: those are parked', () => {
    for (const error of [
      coded('22009'),
      coded('22008'),
      coded('23505'),
      coded('22P02'),
      new TypeError("Cannot read properties of undefined (reading 'lines')"),
      new Error('Connection terminated unexpectedly, said the order note'),
      'a thrown string',
      null,
    ]) {
      expect(isUnavailable(error), String(error)).toBe(false)
    }
  })
})
