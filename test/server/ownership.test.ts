// Who may write which stream, and what a push tells about other accounts' data (issue 24, items
// 3, 4 and 6), on both engines: account ids are random, a stream named after a user is that
// user's alone, a rule that needs another stream fails closed without it, a category's events go
// only in its own streams, and neither `duplicate_event` nor `forbidden` says anything about
// another account's events or streams.
import { randomUUID } from 'node:crypto'
import { beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { login, signup } from '../../src/server/accounts'
import type { Db } from '../../src/server/db/Db'
import { createApp } from './support/shopApp'
import { ProtocolError } from '../../src/server/protocol'
import { pull, push } from './support/shopSync'
import { engines } from './support/engines'

const ENGINES = engines()

let db: Db
let emails = 0
const newUser = async () => (await signup(db, `user${++emails}@example.com`, 'correct horse')).id

const event = (type: string, data: Record<string, unknown>, eventId: string = randomUUID()) => ({ eventId, type, data, metadata: {} })
const started = (shopperId: string) => event('Shopper.CartStarted', { shopperId, cartId: randomUUID(), previousCartId: null })
const commit = (stream: string, events: unknown[], expectedVersion: unknown = 'any') => ({ stream, expectedVersion, events })
const pushed = (userId: string, ...commits: ReturnType<typeof commit>[]) => push(db, userId, { clientId: 'attacker', commits })
const countEvents = async () => Number((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM events'))[0]?.n)

/** A cart of one sencha (with WELCOME500 when `coupon`), checked out to a new order, and that order's Order.Placed data. */
function checkedOutCart({ coupon = false } = {}) {
  const cartId = randomUUID()
  const orderId = randomUUID()
  const discount = coupon ? 500 : 0
  const cart = commit(`Cart$${cartId}`, [
    event('Cart.ItemAdded', { cartId, itemId: 'sencha', quantity: 1, price: 1200 }),
    ...(coupon ? [event('Cart.CouponApplied', { cartId, code: 'WELCOME500', discount: 500 })] : []),
    event('Cart.CheckedOut', { cartId, orderId }),
  ])
  const placed = { orderId, cartId, lines: [{ itemId: 'sencha', quantity: 1, price: 1200 }], subtotal: 1200, discount, total: 1200 - discount }
  return { cartId, orderId, cart, placed }
}

describe.each(ENGINES)('ownership and privacy on $name', (engine) => {
  beforeAll(async () => {
    db = await engine.open()
  }, 60_000)

  beforeEach(async () => {
    await db.query('TRUNCATE users, partitions, streams, events CASCADE')
  })

  describe('account ids', () => {
    it('are random: 16-digit strings within JavaScript’s safe integers, none following from another', async () => {
      const ids: string[] = []
      for (let i = 0; i < 12; i++) ids.push(await newUser())
      for (const id of ids) {
        expect(id).toMatch(/^\d{16}$/)
        expect(Number.isSafeInteger(Number(id))).toBe(true)
        expect(String(Number(id))).toBe(id)
      }
      expect(new Set(ids).size).toBe(ids.length)
      const steps = ids.slice(1).map((id, i) => Number(id) - Number(ids[i]))
      expect(steps.filter((step) => Math.abs(step) < 1_000)).toEqual([])
    })

    it('stay strings on the wire, and every later call names the same one', async () => {
      const app = createApp({ db })
      const signedUp = await app.request('http://kiroku.test/api/auth/signup', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'wire@example.com', password: 'correct horse' }),
      })
      expect(signedUp.status).toBe(201)
      const { user } = (await signedUp.json()) as { user: { id: unknown } }
      expect(user.id).toEqual(expect.stringMatching(/^\d{16}$/))
      const cookie = signedUp.headers.get('set-cookie')!.split(';')[0]!
      const me = (await (await app.request('http://kiroku.test/api/auth/me', { headers: { cookie } })).json()) as { user: { id: string } }
      expect(me.user.id).toBe(user.id)
      const id = user.id as string
      expect((await pushed(id, commit(`Shopper$${id}`, [started(id)], 'none'))).results).toEqual([{ status: 'accepted', positions: [0], head: 1 }])
      expect((await pull(db, id, {})).events.map((e) => e.metadata.userId)).toEqual([id])
    })
  })

  describe('a stream named after a user (Shopper$<user id>)', () => {
    it('cannot be taken by the user before: the guessed next id is refused, and the next sign-up’s own push is accepted', async () => {
      const mallory = await newUser()
      const guess = String(Number(mallory) + 1)
      const squat = await pushed(mallory, commit(`Shopper$${guess}`, [started(guess)], 'none'))
      expect(squat.results).toEqual([{ status: 'rejected', reason: 'forbidden', message: `This account may not write to the stream Shopper$${guess}.` }])
      const next = await newUser()
      expect((await pushed(next, commit(`Shopper$${next}`, [started(next)], 'none'))).results).toEqual([{ status: 'accepted', positions: [0], head: 1 }])
      expect(await countEvents()).toBe(1)
    })

    it('refuses 100 claimed ids in one push, a real user’s among them, and stores nothing', async () => {
      const mallory = await newUser()
      const victim = await newUser()
      const claimed = [...Array.from({ length: 99 }, (_, i) => String(Number(mallory) + 1 + i)), victim]
      const answer = await pushed(mallory, ...claimed.map((id) => commit(`Shopper$${id}`, [started(id)], 'none')))
      expect(answer.results).toHaveLength(100)
      expect(answer.results.every((result) => result.status === 'rejected' && result.reason === 'forbidden')).toBe(true)
      expect(answer.head).toBe(0)
      expect(await countEvents()).toBe(0)
      expect((await pushed(victim, commit(`Shopper$${victim}`, [started(victim)], 'none'))).results).toMatchObject([{ status: 'accepted' }])
    })

    it('answers another account the same whether the stream exists or not, and takes nobody’s Shopper$local', async () => {
      const mallory = await newUser()
      const victim = await newUser()
      const attempt = () => pushed(mallory, commit(`Shopper$${victim}`, [started(victim)]))
      const before = await attempt()
      expect((await pushed(victim, commit(`Shopper$${victim}`, [started(victim)], 'none'))).results).toMatchObject([{ status: 'accepted' }])
      const after = await attempt()
      expect(after).toEqual(before)
      expect(after.results).toEqual([{ status: 'rejected', reason: 'forbidden', message: `This account may not write to the stream Shopper$${victim}.` }])
      expect((await pushed(mallory, commit('Shopper$local', [started('local')], 'none'))).results).toMatchObject([{ status: 'rejected', reason: 'forbidden' }])
    })
  })

  describe('an Order.Placed', () => {
    it('naming an unknown cart is refused, 20 of 20, also with a coupon’s discount and no coupon', async () => {
      const mallory = await newUser()
      const answers = []
      for (let i = 0; i < 20; i++) {
        const orderId = randomUUID()
        const placed = { orderId, cartId: randomUUID(), lines: [{ itemId: 'sencha', quantity: 1, price: 1200 }], subtotal: 1200, discount: 500, total: 700 }
        answers.push(...(await pushed(mallory, commit(`Order$${orderId}`, [event('Order.Placed', placed)], 'none'))).results)
      }
      expect(answers.map((answer) => answer.status === 'rejected' && answer.reason)).toEqual(Array.from({ length: 20 }, () => 'invalid'))
      expect(await countEvents()).toBe(0)
    })

    it('with a discount its own cart never had is refused', async () => {
      const ann = await newUser()
      const { cart, orderId, placed } = checkedOutCart()
      await pushed(ann, cart)
      const answer = await pushed(ann, commit(`Order$${orderId}`, [event('Order.Placed', { ...placed, discount: 500, total: 700 })], 'none'))
      expect(answer.results).toEqual([{ status: 'rejected', reason: 'invalid', message: expect.stringContaining('do not match cart') }])
    })

    it('from another account’s cart is refused (checked out or not) as for an unknown cart, and its owner’s own order then goes in', async () => {
      const victim = await newUser()
      const mallory = await newUser()
      const checkedOut = checkedOutCart()
      const open = checkedOutCart()
      await pushed(victim, checkedOut.cart, commit(open.cart.stream, open.cart.events.slice(0, 1)))
      const fromTheirs = await pushed(mallory, commit(`Order$${checkedOut.orderId}`, [event('Order.Placed', checkedOut.placed)], 'none'))
      const fromOpen = await pushed(mallory, commit(`Order$${open.orderId}`, [event('Order.Placed', open.placed)], 'none'))
      const unknownCart = randomUUID()
      const fromNowhere = await pushed(mallory, commit(`Order$${checkedOut.orderId}`, [event('Order.Placed', { ...checkedOut.placed, cartId: unknownCart })], 'none'))
      for (const answer of [fromTheirs, fromOpen, fromNowhere]) expect(answer.results).toMatchObject([{ status: 'rejected', reason: 'invalid' }])
      // Nothing tells another account's cart from one nobody wrote.
      const wording = (answer: typeof fromTheirs, ...ids: string[]) => ids.reduce((message, id) => message.replaceAll(id, '<id>'), (answer.results[0] as { message: string }).message)
      expect(wording(fromTheirs, checkedOut.orderId, checkedOut.cartId)).toBe(wording(fromNowhere, checkedOut.orderId, unknownCart))
      expect(wording(fromOpen, open.orderId, open.cartId)).toBe(wording(fromNowhere, checkedOut.orderId, unknownCart))
      expect((await pushed(victim, commit(`Order$${checkedOut.orderId}`, [event('Order.Placed', checkedOut.placed)], 'none'))).results).toMatchObject([{ status: 'accepted' }])
    })

    it('goes only in Order$<its order id>: order$X, Y$X and plainX are refused, then Order$X takes it', async () => {
      const ann = await newUser()
      const own = checkedOutCart({ coupon: true })
      await pushed(ann, own.cart)
      const stored = await countEvents()
      const misplaced = await pushed(ann, ...['order$', 'Y$', 'plain'].map((prefix) => commit(`${prefix}${own.orderId}`, [event('Order.Placed', own.placed)], 'none')))
      expect(misplaced.results).toEqual(
        ['order$', 'Y$', 'plain'].map((prefix) => ({ status: 'rejected', reason: 'invalid', message: expect.stringContaining(`its stream is Order$${own.orderId}, not ${prefix}${own.orderId}`) })),
      )
      expect(await countEvents()).toBe(stored)
      expect((await pushed(ann, commit(`Order$${own.orderId}`, [event('Order.Placed', own.placed)], 'none'))).results).toMatchObject([{ status: 'accepted' }])
    })

    it('is completed only in its own stream after it was placed: a side stream and an order never placed are refused', async () => {
      const ann = await newUser()
      const own = checkedOutCart()
      await pushed(ann, own.cart, commit(`Order$${own.orderId}`, [event('Order.Placed', own.placed)], 'none'))
      const completed = () => event('Order.Completed', { orderId: own.orderId })
      const side = await pushed(ann, commit(`side-${own.orderId}`, [completed()], 'none'))
      expect(side.results).toEqual([{ status: 'rejected', reason: 'invalid', message: expect.stringContaining(`its stream is Order$${own.orderId}, not side-${own.orderId}`) }])
      const never = randomUUID()
      expect((await pushed(ann, commit(`Order$${never}`, [event('Order.Completed', { orderId: never })], 'none'))).results).toMatchObject([{ status: 'rejected', reason: 'invalid' }])
      expect((await pushed(ann, commit(`Order$${own.orderId}`, [completed()], 0))).results).toMatchObject([{ status: 'accepted', positions: [1] }])
    })

    it('cannot take another account’s order: before it is placed B’s order from A’s cart is refused, after it B is forbidden and A completes it', async () => {
      const a = await newUser()
      const b = await newUser()
      const theirs = checkedOutCart()
      await pushed(a, theirs.cart)
      expect((await pushed(b, commit(`Order$${theirs.orderId}`, [event('Order.Placed', theirs.placed)], 'none'))).results).toMatchObject([{ status: 'rejected', reason: 'invalid' }])
      expect((await pushed(a, commit(`Order$${theirs.orderId}`, [event('Order.Placed', theirs.placed)], 'none'))).results).toMatchObject([{ status: 'accepted' }])
      // B checks a cart of its own out to A's order id: the order is A's, and the answer names nobody.
      const mine = checkedOutCart()
      const cart = commit(mine.cart.stream, [...mine.cart.events.slice(0, 1), event('Cart.CheckedOut', { cartId: mine.cartId, orderId: theirs.orderId })])
      const taking = await pushed(b, cart, commit(`Order$${theirs.orderId}`, [event('Order.Placed', { ...mine.placed, orderId: theirs.orderId })], 'any'))
      expect(taking.results).toEqual([
        { status: 'accepted', positions: [0, 1], head: 2 },
        { status: 'rejected', reason: 'forbidden', message: `This account may not write to the stream Order$${theirs.orderId}.` },
      ])
      expect((await pushed(a, commit(`Order$${theirs.orderId}`, [event('Order.Completed', { orderId: theirs.orderId })], 0))).results).toMatchObject([{ status: 'accepted' }])
    })
  })

  describe('what a push tells about other accounts', () => {
    it('an event id another account stored is no duplicate of yours: it is accepted as a new event, then a retry is your duplicate', async () => {
      const ann = await newUser()
      const bob = await newUser()
      const id = randomUUID()
      await pushed(ann, commit('Cart$ann', [event('Cart.ItemAdded', { cartId: 'ann', itemId: 'sencha', quantity: 1, price: 1200 }, id)], 'none'))
      const bobs = commit('Cart$bob', [event('Cart.ItemAdded', { cartId: 'bob', itemId: 'fan', quantity: 1, price: 1100 }, id)], 'none')
      expect((await pushed(bob, bobs)).results).toEqual([{ status: 'accepted', positions: [0], head: 1 }])
      expect((await pushed(bob, bobs)).results).toEqual([{ status: 'duplicate', positions: [0] }])
      expect((await pull(db, ann, {})).events.map((e) => [e.eventId, e.stream, (e.data as { itemId: string }).itemId])).toEqual([[id, 'Cart$ann', 'sencha']])
      expect((await pull(db, bob, {})).events.map((e) => [e.eventId, e.stream, (e.data as { itemId: string }).itemId])).toEqual([[id, 'Cart$bob', 'fan']])
    })

    it('forbidden says no more than that this account may not write the stream: nothing of whose it is', async () => {
      const ann = await newUser()
      const bob = await newUser()
      await pushed(ann, commit('Cart$ann', [event('Cart.ItemAdded', { cartId: 'ann', itemId: 'sencha', quantity: 1, price: 1200 })], 'none'))
      const answer = await pushed(bob, commit('Cart$ann', [event('Cart.ItemAdded', { cartId: 'ann', itemId: 'fan', quantity: 1, price: 1100 })]))
      expect(answer.results).toEqual([{ status: 'rejected', reason: 'forbidden', message: 'This account may not write to the stream Cart$ann.' }])
      expect(answer.head).toBe(0)
    })
  })

  describe('an email with a NUL', () => {
    it('is not an email at signup (invalid), and at login is an unknown one (bad_credentials): no 500', async () => {
      const failure = (promise: Promise<unknown>) => promise.then(() => expect.fail('expected a ProtocolError'), (error: unknown) => error)
      await expect(failure(signup(db, 'nul\u0000@example.com', 'correct horse'))).resolves.toMatchObject({ code: 'invalid', status: 400 })
      await expect(failure(login(db, 'nul\u0000@example.com', 'correct horse'))).resolves.toBeInstanceOf(ProtocolError)
      await expect(failure(login(db, 'nul\u0000@example.com', 'correct horse'))).resolves.toMatchObject({ code: 'bad_credentials', status: 401 })
      await expect(failure(signup(db, 'lone\ud800@example.com', 'correct horse'))).resolves.toMatchObject({ code: 'invalid', status: 400 })

      const app = createApp({ db })
      const post = (path: string, email: string) =>
        app.request(`http://kiroku.test/api/auth/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: 'correct horse' }) })
      const signedUp = await post('signup', 'nul\u0000@example.com')
      expect([signedUp.status, ((await signedUp.json()) as { error: { code: string } }).error.code]).toEqual([400, 'invalid'])
      const loggedIn = await post('login', 'nul\u0000@example.com')
      const unknown = await post('login', 'nobody@example.com')
      expect([loggedIn.status, await loggedIn.json()]).toEqual([unknown.status, await unknown.json()])
      expect(unknown.status).toBe(401)
    })
  })
})
