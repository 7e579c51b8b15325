// /api/sync over loopback: the real app on @hono/node-server, in-memory PGlite. A user signs up,
// pushes a cart event, pulls it back and hears the head move live; nobody else sees it.
import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { HEAD_CHANNEL } from './support/shopSync'
import { loopbackServer, signUp as signUpAt } from './support/loopback'

const server = loopbackServer()
const signUp = (email: string) => signUpAt(server.base, email)

const itemAdded = (cartId: string) => ({
  eventId: randomUUID(),
  type: 'Cart.ItemAdded',
  data: { cartId, itemId: 'sencha', quantity: 1, price: 1200 },
  metadata: { correlationId: 'c', timestamp: '2026-11-29T10:00:00.000Z' },
})

/** Pushes one new cart stream's first event; resolves with the user's head after it. */
async function pushCart(cookie: string, cartId: string): Promise<number> {
  const response = await fetch(`${server.base}/api/sync/push`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie },
    body: JSON.stringify({ clientId: 'phone', commits: [{ stream: `Cart$${cartId}`, expectedVersion: 'none', events: [itemAdded(cartId)] }] }),
  })
  expect(response.status).toBe(200)
  return ((await response.json()) as { head: number }).head
}

/** Opens /api/sync/live (with `headers`, e.g. Last-Event-ID); `until` reads on until the text so far matches. */
async function openLive(cookie: string, headers: Record<string, string> = {}) {
  const controller = new AbortController()
  const response = await fetch(`${server.base}/api/sync/live`, { headers: { cookie, ...headers }, signal: controller.signal })
  expect(response.status).toBe(200)
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader()
  let text = ''
  return {
    async until(pattern: RegExp): Promise<string> {
      while (!pattern.test(text)) {
        const { value, done } = await reader.read()
        if (done) throw new Error(`the stream ended before ${pattern}: ${text}`)
        text += value
      }
      return text
    },
    close: () => controller.abort(),
  }
}

const headEvent = (head: number) => new RegExp(`event: head\ndata: \\{"head":${head}\\}\nid: ${head}\n\n`)

describe('/api/sync over HTTP', () => {
  it('pushes a cart event, pulls it back, and keeps it from other users', async () => {
    const ann = await signUp('ann@example.com')
    const bob = await signUp('bob@example.com')
    const event = itemAdded('cart-ann')
    const pushed = await fetch(`${server.base}/api/sync/push`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: ann },
      body: JSON.stringify({ clientId: 'laptop', commits: [{ stream: 'Cart$cart-ann', expectedVersion: -1, events: [event] }] }),
    })
    expect(pushed.status).toBe(200)
    expect(await pushed.json()).toEqual({ results: [{ status: 'accepted', positions: [0], head: 1 }], head: 1 })

    const pulled = (await (await fetch(`${server.base}/api/sync/pull?after=0`, { headers: { cookie: ann } })).json()) as { events: Array<Record<string, unknown>>; head: number; hasMore: boolean }
    expect(pulled.head).toBe(1)
    expect(pulled.hasMore).toBe(false)
    expect(pulled.events).toHaveLength(1)
    expect(pulled.events[0]).toMatchObject({ position: 1, stream: 'Cart$cart-ann', streamPosition: 0, eventId: event.eventId, type: 'Cart.ItemAdded', data: event.data })

    const bobs = (await (await fetch(`${server.base}/api/sync/pull`, { headers: { cookie: bob } })).json()) as { events: unknown[]; head: number }
    expect(bobs).toEqual({ events: [], head: 0, hasMore: false })
  })

  it('answers without a session 401 unauthenticated, and a malformed push 400 invalid', async () => {
    const anonymous = await fetch(`${server.base}/api/sync/pull`)
    expect(anonymous.status).toBe(401)
    expect(((await anonymous.json()) as { error: { code: string } }).error.code).toBe('unauthenticated')
    const cookie = await signUp('cleo@example.com')
    const malformed = await fetch(`${server.base}/api/sync/push`, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: '{"clientId":' })
    expect(malformed.status).toBe(400)
    expect(((await malformed.json()) as { error: { code: string } }).error.code).toBe('invalid')
    const badLimit = await fetch(`${server.base}/api/sync/pull?limit=0`, { headers: { cookie } })
    expect(badLimit.status).toBe(400)
  })

  it('streams the head live: at once, then when a push moves it', async () => {
    const cookie = await signUp('dan@example.com')
    const controller = new AbortController()
    const response = await fetch(`${server.base}/api/sync/live`, { headers: { cookie }, signal: controller.signal })
    expect(response.headers.get('content-type')).toMatch(/text\/event-stream/)
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader()
    let text = ''
    const until = async (pattern: RegExp) => {
      while (!pattern.test(text)) {
        const { value, done } = await reader.read()
        if (done) throw new Error(`the stream ended before ${pattern}: ${text}`)
        text += value
      }
    }
    await until(/event: head\ndata: \{"head":0\}\nid: 0\n/)
    await fetch(`${server.base}/api/sync/push`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie },
      body: JSON.stringify({ clientId: 'phone', commits: [{ stream: 'Cart$cart-dan', expectedVersion: 'none', events: [itemAdded('cart-dan')] }] }),
    })
    await until(/event: head\ndata: \{"head":1\}\nid: 1\n/)
    controller.abort()
  })

  it('starts the live stream with retry: 2000, so EventSource reconnects within 2 s', async () => {
    const live = await openLive(await signUp('eli@example.com'))
    expect(await live.until(headEvent(0))).toMatch(/^retry: 2000\n\n/)
    live.close()
  })

  it('sends no head at once when Last-Event-ID is the current head, only the next change', async () => {
    const cookie = await signUp('fay@example.com')
    expect(await pushCart(cookie, 'cart-fay-1')).toBe(1)
    const live = await openLive(cookie, { 'Last-Event-ID': '1' })
    await live.until(/^retry: 2000\n\n/)
    expect(await pushCart(cookie, 'cart-fay-2')).toBe(2)
    const text = await live.until(headEvent(2))
    expect(text).not.toMatch(/"head":1/)
    expect(text).not.toMatch(/id: 1\n/)
    live.close()
  })

  it.each([
    ['absent', undefined],
    ['not a number', 'abc'],
    ['not a whole number', '1.5'],
    ['negative', '-1'],
    ['smaller than the head', '0'],
    ['larger than the head (the server’s data was reset)', '99'],
  ])('sends the head at once when Last-Event-ID is %s', async (_, lastEventId) => {
    const cookie = await signUp(`gil-${randomUUID()}@example.com`)
    expect(await pushCart(cookie, randomUUID())).toBe(1)
    const live = await openLive(cookie, lastEventId === undefined ? {} : { 'Last-Event-ID': lastEventId })
    expect(await live.until(headEvent(1))).toMatch(/^retry: 2000\n\nevent: head\n/)
    live.close()
  })

  it('sends a head that went down as well: every change that differs from the last one sent', async () => {
    const cookie = await signUp('hal@example.com')
    const { user } = (await (await fetch(`${server.base}/api/auth/me`, { headers: { cookie } })).json()) as { user: { id: string } }
    expect(await pushCart(cookie, 'cart-hal')).toBe(1)
    const live = await openLive(cookie)
    await live.until(headEvent(1))
    // As if the server's data had been reset under the open stream.
    await server.db.query('UPDATE partitions SET head = 0 WHERE user_id = $1', [user.id])
    await server.db.notify(HEAD_CHANNEL, `${user.id}:0`)
    await live.until(headEvent(0))
    live.close()
  })
})
