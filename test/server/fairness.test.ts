// One account's share of the server while others need it too (issue 24, item 1: other users' p95
// within 2× quiet while one account pulls its largest pages in parallel): a budget of bytes per
// account that binds only while other accounts are served, answered 429 `rate_limited` with the
// seconds until the debt is repaid. A clock the test moves; no timing.
import { randomUUID } from 'node:crypto'
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createApp } from './support/shopApp'
import { readJson } from '../../src/server/http/json'
import { byteBudget, chargeBytes, type ByteBudget } from '../../src/server/http/byteBudget'
import { errorResponse, ProtocolError } from '../../src/server/http/errors'
import type { AppEnv } from '../../src/server/http/session'
import { engines } from './support/engines'

/** A route behind byteBudget that costs what its `cost` query says, and the clock it reads. */
function meteredRoute(options: Omit<ByteBudget, 'now'>) {
  const clock = { ms: 0 }
  const app = new Hono<AppEnv>()
  app.use('*', async (c, next) => {
    c.set('user', { id: c.req.header('x-user')!, email: 'x@example.com' })
    await next()
  })
  app.get('/work', byteBudget({ ...options, now: () => clock.ms }), (c) => {
    chargeBytes(c, Number(c.req.query('cost')))
    return c.json({ ok: true }, 200)
  })
  app.onError((error, c) => (error instanceof ProtocolError ? errorResponse(c, error) : c.text('unexpected', 500)))
  const send = (user: string, cost: number) => app.request(`/work?cost=${cost}`, { headers: { 'x-user': user } })
  return { clock, send }
}

describe('the byte budget per account', () => {
  const limits = { bytesPerSecond: 1_000, burstBytes: 2_000, othersWithinMs: 1_000 }

  it('answers an account past its budget 429 rate_limited with the seconds until its debt is repaid, while another account is served', async () => {
    const { clock, send } = meteredRoute(limits)
    expect((await send('bob', 10)).status).toBe(200)
    // Eve spends her burst and 2,500 bytes more: 2.5 s of her rate, so Retry-After: 3.
    expect((await send('eve', 4_500)).status).toBe(200)
    clock.ms = 100
    expect((await send('bob', 10)).status).toBe(200)
    const refused = await send('eve', 10)
    expect(refused.status).toBe(429)
    expect(refused.headers.get('retry-after')).toBe('3')
    expect(await refused.json()).toMatchObject({ error: { code: 'rate_limited', message: expect.stringContaining('try again in 3 s') } })
    // Bob is not held back by her.
    expect((await send('bob', 10)).status).toBe(200)
    // When her debt is repaid (2.5 s after her pull, bob still about), she is served again.
    clock.ms = 2_000
    expect((await send('bob', 10)).status).toBe(200)
    expect((await send('eve', 10)).status).toBe(429)
    clock.ms = 2_600
    expect((await send('eve', 10)).status).toBe(200)
  })

  it('binds no account while nobody else is served: one device catches up at full speed', async () => {
    const { clock, send } = meteredRoute(limits)
    for (let i = 0; i < 50; i++) {
      expect((await send('eve', 100_000)).status).toBe(200)
      clock.ms += 1
    }
    // Bob's last request was over a second ago: others are not being served.
    expect((await send('bob', 10)).status).toBe(200)
    clock.ms += 1_001
    expect((await send('eve', 100_000)).status).toBe(200)
    // Now he is: Eve's debt counts.
    expect((await send('bob', 10)).status).toBe(200)
    expect((await send('eve', 10)).status).toBe(429)
  })

  it('charges a push by the bytes of its body as read, with no Content-Length too (chunked)', async () => {
    const clock = { ms: 0 }
    const app = new Hono<AppEnv>()
    app.use('*', async (c, next) => {
      c.set('user', { id: c.req.header('x-user')!, email: 'x@example.com' })
      await next()
    })
    app.post('/push', byteBudget({ ...limits, now: () => clock.ms }), async (c) => c.json({ read: await readJson(c, z.unknown()) }, 200))
    app.onError((error, c) => (error instanceof ProtocolError ? errorResponse(c, error) : c.text('unexpected', 500)))
    // A JSON string of `bytes` bytes, sent without a Content-Length (as a chunked body is).
    const post = (user: string, bytes: number) => app.request('/push', { method: 'POST', headers: { 'x-user': user }, body: JSON.stringify('x'.repeat(bytes - 2)) })
    expect((await post('bob', 10)).status).toBe(200)
    expect((await post('eve', 3_000)).status).toBe(200)
    const refused = await post('eve', 10)
    expect(refused.status).toBe(429)
    expect(refused.headers.get('retry-after')).toBe('1')
  })

  it('refuses a rate or a burst that is not above 0', () => {
    expect(() => byteBudget({ bytesPerSecond: 0 })).toThrow(RangeError)
    expect(() => byteBudget({ burstBytes: -1 })).toThrow(RangeError)
  })
})

describe.each(engines())('the byte budget through the app on $name', (engine) => {
  const largeItem = (cartId: string) => ({
    eventId: randomUUID(),
    type: 'Cart.ItemAdded',
    data: { cartId, itemId: 'sencha', quantity: 1, price: 1200 },
    // The bulk in its metadata: its data is what the cart's command makes.
    metadata: { correlationId: 'c', timestamp: '2026-11-29T10:00:00.000Z', note: 'x'.repeat(3_000) },
  })

  it('pulls pages until the budget, then 429 with Retry-After while another account is served, and serves that account', async () => {
    const db = await engine.open()
    const clock = { ms: 0 }
    const app = createApp({ db, syncLimits: { byteBudget: { bytesPerSecond: 4_000, burstBytes: 8_000, now: () => clock.ms } } })
    const signUp = async (email: string) => {
      const response = await app.request('/api/auth/signup', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: 'correct horse battery' }) })
      expect(response.status).toBe(201)
      return response.headers.get('set-cookie')!.split(';')[0]!
    }
    const [eve, bob] = [await signUp('eve@example.com'), await signUp('bob@example.com')]
    const pushCart = (cookie: string, cartId: string) =>
      app.request('/api/sync/push', {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie },
        body: JSON.stringify({ clientId: 'c', commits: [{ stream: `Cart$${cartId}`, expectedVersion: -1, events: [largeItem(cartId)] }] }),
      })
    // Eve alone: no budget binds, however much she sends and pulls.
    for (let i = 0; i < 6; i++) expect((await pushCart(eve, `e${i}`)).status).toBe(200)
    const pull = (cookie: string) => app.request('/api/sync/pull?after=0&limit=400', { headers: { cookie } })
    for (let i = 0; i < 3; i++) expect((await pull(eve)).status).toBe(200)
    // Bob comes: Eve is far past 8,000 bytes, each pull of hers was about 20,000.
    expect((await pushCart(bob, 'b0')).status).toBe(200)
    const refused = await pull(eve)
    expect(refused.status).toBe(429)
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(10)
    expect(await refused.json()).toMatchObject({ error: { code: 'rate_limited' } })
    const bobPulled = await pull(bob)
    expect(bobPulled.status).toBe(200)
    expect(await bobPulled.json()).toMatchObject({ head: 1, hasMore: false, events: [{ stream: 'Cart$b0' }] })
    // Once her debt is repaid she is served the same page as before.
    clock.ms += Number(refused.headers.get('retry-after')) * 1_000
    const served = await pull(eve)
    expect(served.status).toBe(200)
    expect(await served.json()).toMatchObject({ head: 6, hasMore: false })
  })
})
