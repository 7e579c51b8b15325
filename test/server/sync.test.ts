// The sync use cases (push a commit, pull a page) without HTTP, on both engines: in-memory PGlite
// and a real PostgreSQL.
import { beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import type { Db } from '../../src/server/db/Db'
import { ProtocolError } from '../../src/server/protocol'
import { domainEventDefinitions, eventDefinitionsOf, HEAD_CHANNEL, pull, push } from './support/shopSync'
import { defineEvent } from '../../src/eventstore/events'
import { engines } from './support/engines'

const ENGINES = engines()

let db: Db
let alice: string
let bob: string

async function addUser(email: string): Promise<string> {
  const [row] = await db.query<{ id: string | number }>("INSERT INTO users (email, password_hash) VALUES ($1, 'x') RETURNING id", [email])
  return String(row?.id)
}

const added = (cartId: string, eventId = crypto.randomUUID(), metadata: Record<string, unknown> = {}) => ({
  eventId,
  type: 'Cart.ItemAdded',
  data: { cartId, itemId: 'sencha', quantity: 1, price: 1200 },
  metadata,
})

const body = (...commits: { stream: string; expectedVersion: unknown; events: unknown[] }[]) => ({ clientId: 'device-1', commits })

const countEvents = async () => Number((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM events'))[0]?.n)

describe.each(ENGINES)('sync use cases on $name', (engine) => {
  // One database per engine (opened by the engine, closed after the file); each test begins with no users.
  beforeAll(async () => {
    db = await engine.open()
  }, 60_000)

  beforeEach(async () => {
    await db.query('TRUNCATE users, partitions, streams, events RESTART IDENTITY CASCADE')
    alice = await addUser('alice@example.com')
    bob = await addUser('bob@example.com')
  })

  describe('push', () => {
    it('accepts a commit with its stream positions and the user head', async () => {
      const first = await push(db, alice, body({ stream: 'Cart$1', expectedVersion: 'none', events: [added('1'), added('1')] }))
      expect(first).toEqual({ results: [{ status: 'accepted', positions: [0, 1], head: 2 }], head: 2 })
      const second = await push(db, alice, body({ stream: 'Cart$1', expectedVersion: 1, events: [added('1')] }, { stream: 'Cart$2', expectedVersion: 'any', events: [added('2')] }))
      expect(second).toEqual({
        results: [
          { status: 'accepted', positions: [2], head: 3 },
          { status: 'accepted', positions: [0], head: 4 },
        ],
        head: 4,
      })
    })

    it('answers head 0 for a user with no events yet', async () => {
      expect(await push(db, alice, body())).toEqual({ results: [], head: 0 })
    })

    it('collects the event types from the domain', () => {
      expect([...domainEventDefinitions.keys()]).toEqual(expect.arrayContaining(['Cart.ItemAdded', 'Cart.CheckedOut', 'Order.Placed', 'Shopper.CartStarted']))
    })

    it('answers a retried push with duplicate and stores nothing new', async () => {
      const commit = { stream: 'Cart$1', expectedVersion: 'none', events: [added('1'), added('1')] }
      await push(db, alice, body({ stream: 'Cart$1', expectedVersion: 'none', events: [added('1')] }))
      const retried = { ...commit, expectedVersion: 0 }
      await push(db, alice, body(retried))
      const again = await push(db, alice, body(retried))
      expect(again).toEqual({ results: [{ status: 'duplicate', positions: [1, 2] }], head: 3 })
      expect(await countEvents()).toBe(3)
    })

    it('answers a conflict and stores nothing of the commit', async () => {
      await push(db, alice, body({ stream: 'Cart$1', expectedVersion: 'none', events: [added('1')] }))
      const answer = await push(db, alice, body({ stream: 'Cart$1', expectedVersion: 'none', events: [added('1')] }, { stream: 'Cart$9', expectedVersion: 3, events: [added('9')] }))
      expect(answer.results).toEqual([
        { status: 'conflict', stream: 'Cart$1', expected: 'none', actual: 0 },
        { status: 'conflict', stream: 'Cart$9', expected: 3, actual: -1 },
      ])
      expect(answer.head).toBe(1)
      expect(await countEvents()).toBe(1)
    })

    it('blocks a later commit to a stream whose earlier commit failed, and only that stream', async () => {
      await push(db, alice, body({ stream: 'Cart$1', expectedVersion: 'none', events: [added('1')] }))
      const answer = await push(
        db,
        alice,
        body(
          { stream: 'Cart$1', expectedVersion: 5, events: [added('1')] },
          { stream: 'Cart$2', expectedVersion: 'none', events: [added('2')] },
          { stream: 'Cart$1', expectedVersion: 0, events: [added('1')] },
          { stream: 'Cart$1', expectedVersion: 'any', events: [added('1')] },
        ),
      )
      expect(answer.results.map((result) => result.status)).toEqual(['conflict', 'accepted', 'blocked', 'blocked'])
      expect(await countEvents()).toBe(2)
    })

    it('rejects a commit to another user’s stream as forbidden', async () => {
      const event = added('1')
      await push(db, alice, body({ stream: 'Cart$1', expectedVersion: 'none', events: [event] }))
      const answer = await push(db, bob, body({ stream: 'Cart$1', expectedVersion: 'any', events: [added('1')] }, { stream: 'Cart$1', expectedVersion: 'none', events: [event] }))
      expect(answer.results[0]).toMatchObject({ status: 'rejected', reason: 'forbidden' })
      expect(answer.results[1]).toEqual({ status: 'blocked' })
      expect(answer.head).toBe(0)
      expect(await countEvents()).toBe(1)
    })

    it('rejects an event type the domain does not define', async () => {
      const answer = await push(db, alice, body({ stream: 'Cart$1', expectedVersion: 'none', events: [added('1'), { ...added('1'), type: 'Cart.Teleported' }] }))
      expect(answer.results).toEqual([{ status: 'rejected', reason: 'unknown_type', message: expect.stringContaining('Cart.Teleported') }])
      expect(await countEvents()).toBe(0)
    })

    it('rejects data that fails its definition’s schema as invalid', async () => {
      const Pinged = defineEvent('Test.Pinged', { schema: z.object({ count: z.number().int() }) })
      const definitions = eventDefinitionsOf({ Pinged })
      const event = (data: unknown) => ({ eventId: crypto.randomUUID(), type: 'Test.Pinged', data, metadata: {} })
      const answer = await push(
        db,
        alice,
        body({ stream: 'ping-1', expectedVersion: 'none', events: [event({ count: 'many' })] }, { stream: 'ping-2', expectedVersion: 'none', events: [event({ count: 2 })] }),
        { definitions },
      )
      expect(answer.results[0]).toMatchObject({ status: 'rejected', reason: 'invalid' })
      expect(answer.results[1]).toMatchObject({ status: 'accepted', positions: [0] })
    })

    it('rejects a commit whose ids are partly stored, or stored in another stream, as duplicate_event', async () => {
      const stored = added('1')
      await push(db, alice, body({ stream: 'Cart$1', expectedVersion: 'none', events: [stored] }))
      const answer = await push(
        db,
        alice,
        body({ stream: 'Cart$1', expectedVersion: 'any', events: [stored, added('1')] }, { stream: 'Cart$2', expectedVersion: 'any', events: [stored] }),
      )
      expect(answer.results).toEqual([
        { status: 'rejected', reason: 'duplicate_event', message: expect.any(String) },
        { status: 'rejected', reason: 'duplicate_event', message: expect.any(String) },
      ])
      expect(await countEvents()).toBe(1)
    })

    it('sets userId, clientId and recordedAt in the metadata and keeps the client’s timestamp and correlation', async () => {
      const metadata = { userId: 'mallory', clientId: 'forged', recordedAt: 'yesterday', timestamp: '2026-01-02T03:04:05.000Z', correlationId: 'c-1', causationId: 'k-1' }
      await push(db, alice, body({ stream: 'Cart$1', expectedVersion: 'none', events: [added('1', crypto.randomUUID(), metadata)] }), { now: () => new Date('2026-11-30T10:00:00.000Z') })
      const [event] = (await pull(db, alice, {})).events
      expect(event?.metadata).toEqual({
        userId: alice,
        clientId: 'device-1',
        recordedAt: '2026-11-30T10:00:00.000Z',
        timestamp: '2026-01-02T03:04:05.000Z',
        correlationId: 'c-1',
        causationId: 'k-1',
      })
    })

    it('notifies the head channel once the commit is stored', async () => {
      const heard: string[] = []
      let arrived: () => void = () => undefined
      const first = new Promise<void>((resolve) => (arrived = resolve))
      const stop = await db.listen(HEAD_CHANNEL, (payload) => {
        heard.push(payload)
        arrived()
      })
      await push(db, alice, body({ stream: 'Cart$1', expectedVersion: 'none', events: [added('1'), added('1')] }))
      await first // on PostgreSQL it comes on the listening connection, after the commit
      await db.query('SELECT 1') // lets any further notification arrive
      await stop()
      expect(heard).toEqual([`${alice}:2`])
    })

    describe('the domain’s rules', () => {
      const event = <D,>(type: string, data: D) => ({ eventId: crypto.randomUUID(), type, data, metadata: {} })
      const cartEvent = (type: string, data: Record<string, unknown>) => event(type, { cartId: 'c1', ...data })
      const lines = [{ itemId: 'matcha', quantity: 2, price: 2800 }]
      const placed = () => event('Order.Placed', { orderId: 'o1', cartId: 'c1', lines, subtotal: 5600, discount: 500, total: 5100 })
      const completed = () => event('Order.Completed', { orderId: 'o1' })

      it('accepts a valid cart commit, and an order placed from it then completed', async () => {
        const answer = await push(
          db,
          alice,
          body(
            {
              stream: 'Cart$c1',
              expectedVersion: 'none',
              events: [
                cartEvent('Cart.ItemAdded', { itemId: 'matcha', quantity: 2, price: 2800 }),
                cartEvent('Cart.CouponApplied', { code: 'WELCOME500', discount: 500 }),
                cartEvent('Cart.CheckedOut', { orderId: 'o1' }),
              ],
            },
            { stream: 'Order$o1', expectedVersion: 'none', events: [placed()] },
            { stream: 'Order$o1', expectedVersion: 0, events: [completed()] },
          ),
        )
        expect(answer.results.map((result) => result.status)).toEqual(['accepted', 'accepted', 'accepted'])
        expect(await countEvents()).toBe(5)
      })

      it.each([
        ['a price that is not the catalog’s', [cartEvent('Cart.ItemAdded', { itemId: 'matcha', quantity: 1, price: 1 })], /catalog/],
        ['a product not in the catalog', [cartEvent('Cart.ItemAdded', { itemId: 'p1', quantity: 1, price: 100 })], /catalog/],
        ['a quantity of 100', [cartEvent('Cart.ItemAdded', { itemId: 'matcha', quantity: 100, price: 2800 })], /1 to 99/],
        ['a quantity updated to 100', [cartEvent('Cart.ItemAdded', { itemId: 'matcha', quantity: 1, price: 2800 }), cartEvent('Cart.ItemQuantityUpdated', { itemId: 'matcha', quantity: 100 })], /1 to 99/],
        ['an unknown coupon', [cartEvent('Cart.CouponApplied', { code: 'FREEBIE', discount: 9999 })], /no coupon/],
        ['a coupon with a wrong discount', [cartEvent('Cart.CouponApplied', { code: 'WELCOME500', discount: 9999 })], /WELCOME500/],
      ])('rejects a cart commit with %s as invalid and stores nothing', async (_, events, message) => {
        const answer = await push(db, alice, body({ stream: 'Cart$c1', expectedVersion: 'none', events }))
        expect(answer.results).toEqual([{ status: 'rejected', reason: 'invalid', message: expect.stringMatching(message) }])
        expect(await countEvents()).toBe(0)
        expect(answer.head).toBe(0)
      })

      it('judges new events on the stream’s stored ones: 98 stored, 2 more is past 99', async () => {
        await push(db, alice, body({ stream: 'Cart$c1', expectedVersion: 'none', events: [cartEvent('Cart.ItemAdded', { itemId: 'sencha', quantity: 98, price: 1200 })] }))
        const answer = await push(db, alice, body({ stream: 'Cart$c1', expectedVersion: 0, events: [cartEvent('Cart.ItemAdded', { itemId: 'sencha', quantity: 2, price: 1200 })] }))
        expect(answer.results[0]).toMatchObject({ status: 'rejected', reason: 'invalid' })
        expect(await countEvents()).toBe(1)
      })

      it('rejects an Order.Completed before the order was placed as invalid and stores nothing', async () => {
        const answer = await push(db, alice, body({ stream: 'Order$o1', expectedVersion: 'any', events: [completed()] }))
        expect(answer.results).toEqual([{ status: 'rejected', reason: 'invalid', message: expect.stringContaining('o1') }])
        expect(await countEvents()).toBe(0)
      })

      /** A commit of the cart `cartId` with the order's lines and coupon, checked out to `orderId`: an order is placed only from such a cart. */
      const checkedOutCart = (cartId: string, orderId: string) => ({
        stream: `Cart$${cartId}`,
        expectedVersion: 'none',
        events: [
          event('Cart.ItemAdded', { cartId, itemId: 'matcha', quantity: 2, price: 2800 }),
          event('Cart.CouponApplied', { cartId, code: 'WELCOME500', discount: 500 }),
          event('Cart.CheckedOut', { cartId, orderId }),
        ],
      })

      it('rejects an Order.Completed a second time as invalid, in a later commit or the same one, and stores nothing more', async () => {
        await push(db, alice, body(checkedOutCart('c1', 'o1'), checkedOutCart('c2', 'o2')))
        const carts = await countEvents()
        await push(db, alice, body({ stream: 'Order$o1', expectedVersion: 'none', events: [placed(), completed()] }))
        const later = await push(db, alice, body({ stream: 'Order$o1', expectedVersion: 1, events: [completed()] }))
        expect(later.results).toEqual([{ status: 'rejected', reason: 'invalid', message: expect.stringContaining('completed') }])
        const completedO2 = () => ({ ...completed(), data: { orderId: 'o2' } })
        const same = await push(db, alice, body({ stream: 'Order$o2', expectedVersion: 'none', events: [{ ...placed(), data: { ...placed().data, orderId: 'o2', cartId: 'c2' } }, completedO2(), completedO2()] }))
        expect(same.results[0]).toMatchObject({ status: 'rejected', reason: 'invalid' })
        expect(same.results[0]).toMatchObject({ message: expect.stringContaining('completed') })
        expect(await countEvents()).toBe(carts + 2)
      })

      it('rejects an event that names another aggregate than its stream’s as invalid and stores nothing', async () => {
        const answer = await push(
          db,
          alice,
          body({ stream: 'Cart$A', expectedVersion: 'none', events: [added('B')] }, { stream: 'Order$o2', expectedVersion: 'none', events: [placed()] }),
        )
        expect(answer.results).toEqual([
          { status: 'rejected', reason: 'invalid', message: expect.stringContaining('it names cart B, not A') },
          { status: 'rejected', reason: 'invalid', message: expect.stringContaining('it names order o1, not o2') },
        ])
        expect(await countEvents()).toBe(0)
      })

      it('rejects an order whose totals do not add up, or that does not match the stored cart it came from', async () => {
        const wrongTotal = await push(db, alice, body({ stream: 'Order$o1', expectedVersion: 'none', events: [{ ...placed(), data: { ...placed().data, total: 1 } }] }))
        expect(wrongTotal.results[0]).toMatchObject({ status: 'rejected', reason: 'invalid' })
        await push(
          db,
          alice,
          body({ stream: 'Cart$c1', expectedVersion: 'none', events: [cartEvent('Cart.ItemAdded', { itemId: 'sencha', quantity: 1, price: 1200 }), cartEvent('Cart.CheckedOut', { orderId: 'o1' })] }),
        )
        const notTheCart = await push(db, alice, body({ stream: 'Order$o1', expectedVersion: 'none', events: [placed()] }))
        expect(notTheCart.results).toEqual([{ status: 'rejected', reason: 'invalid', message: expect.stringContaining('do not match cart c1') }])
        expect(await countEvents()).toBe(2)
      })

      it('rejects the second order of a cart checked out twice (two devices offline) as invalid, and an order of a cart not checked out', async () => {
        const first = await push(
          db,
          alice,
          body(
            {
              stream: 'Cart$c1',
              expectedVersion: 'none',
              events: [cartEvent('Cart.ItemAdded', { itemId: 'matcha', quantity: 2, price: 2800 }), cartEvent('Cart.CouponApplied', { code: 'WELCOME500', discount: 500 }), cartEvent('Cart.CheckedOut', { orderId: 'o1' })],
            },
            { stream: 'Order$o1', expectedVersion: 'none', events: [placed()] },
          ),
        )
        expect(first.results.map((result) => result.status)).toEqual(['accepted', 'accepted'])
        // The other device checked the same cart out to o2: its Order.Placed names cart c1 too.
        const second = await push(db, alice, body({ stream: 'Order$o2', expectedVersion: 'none', events: [{ ...placed(), data: { ...placed().data, orderId: 'o2' } }] }))
        expect(second.results).toEqual([{ status: 'rejected', reason: 'invalid', message: expect.stringContaining('cart c1 was checked out to another order') }])

        await push(db, alice, body({ stream: 'Cart$c2', expectedVersion: 'none', events: [event('Cart.ItemAdded', { cartId: 'c2', itemId: 'matcha', quantity: 2, price: 2800 })] }))
        const open = await push(db, alice, body({ stream: 'Order$o3', expectedVersion: 'none', events: [{ ...placed(), data: { ...placed().data, orderId: 'o3', cartId: 'c2', discount: 0, total: 5600 } }] }))
        expect(open.results).toEqual([{ status: 'rejected', reason: 'invalid', message: expect.stringContaining('cart c2 was not checked out') }])
        expect(await countEvents()).toBe(5)
      })

      it('blocks the later commits of a stream whose commit the domain refused', async () => {
        const answer = await push(
          db,
          alice,
          body(
            { stream: 'Cart$c1', expectedVersion: 'none', events: [cartEvent('Cart.ItemAdded', { itemId: 'sencha', quantity: 1, price: 1 })] },
            { stream: 'Cart$c1', expectedVersion: 'any', events: [cartEvent('Cart.ItemAdded', { itemId: 'sencha', quantity: 1, price: 1200 })] },
            { stream: 'Cart$c2', expectedVersion: 'none', events: [added('c2')] },
          ),
        )
        expect(answer.results.map((result) => result.status)).toEqual(['rejected', 'blocked', 'accepted'])
        expect(await countEvents()).toBe(1)
      })
    })

    it.each([
      ['a bad UUID', body({ stream: 'Cart$1', expectedVersion: 'none', events: [{ ...added('1'), eventId: 'not-a-uuid' }] })],
      ['101 commits', body(...Array.from({ length: 101 }, (_, index) => ({ stream: `Cart$${index}`, expectedVersion: 'any', events: [added(String(index))] })))],
      ['1,001 events', body(...Array.from({ length: 11 }, (_, index) => ({ stream: `Cart$${index}`, expectedVersion: 'any', events: Array.from({ length: 91 }, () => added(String(index))) })))],
      ['expectedVersion x', body({ stream: 'Cart$1', expectedVersion: 'x', events: [added('1')] })],
      ['expectedVersion -2', body({ stream: 'Cart$1', expectedVersion: -2, events: [added('1')] })],
      ['no events', body({ stream: 'Cart$1', expectedVersion: 'none', events: [] })],
      ['no clientId', { commits: [] }],
    ])('refuses an envelope with %s as invalid and stores nothing', async (_, invalidBody) => {
      const valid = { stream: 'Cart$ok', expectedVersion: 'none', events: [added('ok')] }
      const withValid = 'commits' in invalidBody && 'clientId' in invalidBody ? { ...invalidBody, commits: [valid, ...invalidBody.commits] } : invalidBody
      const error = await push(db, alice, withValid).catch((failure: unknown) => failure)
      expect(error).toBeInstanceOf(ProtocolError)
      expect(error).toMatchObject({ code: 'invalid', status: 400 })
      expect(await countEvents()).toBe(0)
    })
  })

  describe('pull', () => {
    beforeEach(async () => {
      await push(db, alice, body({ stream: 'Cart$1', expectedVersion: 'none', events: [added('1'), added('1'), added('1')] }))
      await push(db, bob, body({ stream: 'Cart$b', expectedVersion: 'none', events: [added('b')] }))
      await push(db, alice, body({ stream: 'Cart$2', expectedVersion: 'none', events: [added('2'), added('2')] }))
    })

    it('pages the user’s own events by position with after, limit and hasMore', async () => {
      const first = await pull(db, alice, { after: '0', limit: '2' })
      expect(first.events.map((event) => [event.position, event.stream, event.streamPosition])).toEqual([
        [1, 'Cart$1', 0],
        [2, 'Cart$1', 1],
      ])
      expect(first).toMatchObject({ head: 5, hasMore: true })
      const second = await pull(db, alice, { after: 2, limit: 2 })
      expect(second.events.map((event) => event.position)).toEqual([3, 4])
      const last = await pull(db, alice, { after: 4, limit: 2 })
      expect(last.events.map((event) => [event.position, event.stream, event.streamPosition])).toEqual([[5, 'Cart$2', 1]])
      expect(last).toMatchObject({ head: 5, hasMore: false })
      const all = await pull(db, alice, {})
      expect(all.events.every((event) => event.metadata.userId === alice && event.stream !== 'Cart$b')).toBe(true)
      expect(all.events[0]).toEqual({ position: 1, stream: 'Cart$1', streamPosition: 0, eventId: expect.any(String), type: 'Cart.ItemAdded', data: { cartId: '1', itemId: 'sencha', quantity: 1, price: 1200 }, metadata: expect.any(Object) })
    })

    it('gives bob only his own event and a head of his own', async () => {
      const page = await pull(db, bob, {})
      expect(page.events.map((event) => event.stream)).toEqual(['Cart$b'])
      expect(page).toMatchObject({ head: 1, hasMore: false })
    })

    it('answers head 0 and nothing for a user with no events', async () => {
      const carol = await addUser('carol@example.com')
      expect(await pull(db, carol, {})).toEqual({ events: [], head: 0, hasMore: false })
    })

    it('treats a limit over 1,000 as 1,000', async () => {
      expect((await pull(db, alice, { limit: '5000' })).events).toHaveLength(5)
    })

    it.each([{ after: '1.5' }, { after: '-1' }, { limit: '0' }, { limit: 'ten' }, { limit: '' }])('refuses %j as invalid', async (query) => {
      await expect(pull(db, alice, query)).rejects.toMatchObject({ name: 'ProtocolError', code: 'invalid', status: 400 })
    })
  })
})
