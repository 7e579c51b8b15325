// /api/sync over loopback: the real app on @hono/node-server, in-memory PGlite. A user signs up,
// pushes a cart event, pulls it back and hears the head move live; nobody else sees it.
import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { loopbackServer, signUp as signUpAt } from './support/loopback'

const server = loopbackServer()
const signUp = (email: string) => signUpAt(server.base, email)

const itemAdded = (cartId: string) => ({
  eventId: randomUUID(),
  type: 'Cart.ItemAdded',
  data: { cartId, itemId: 'sencha', quantity: 1, price: 1200 },
  metadata: { correlationId: 'c', timestamp: '2026-11-29T10:00:00.000Z' },
})

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
})
