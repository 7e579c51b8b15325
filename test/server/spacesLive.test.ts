// The live channel with spaces (DESIGN.md "Spaces"): `event: spaces` when the user's memberships
// change, `event: space` with a shared space's head at the start and whenever it moves, and
// nothing more of a space once the user has left it.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Db } from '../../src/server/db/Db'
import { openPglite } from '../../src/server/db/pglite'
import { createApp, type App } from './support/shopApp'
import { migrate } from './support/shopMigrate'

let db: Db
let app: App
const json = { 'content-type': 'application/json' }

beforeAll(async () => {
  db = await openPglite()
  await migrate(db)
  app = createApp({ db, live: { heartbeatMs: 30 } })
}, 60_000)

afterAll(async () => {
  await db.close()
})

async function signUp(email: string): Promise<{ id: string; cookie: string }> {
  const response = await app.request('/api/auth/signup', { method: 'POST', headers: json, body: JSON.stringify({ email, password: 'correct horse' }) })
  const { user } = (await response.json()) as { user: { id: string } }
  return { id: user.id, cookie: response.headers.get('set-cookie')!.split(';')[0]! }
}

const call = async (cookie: string, method: string, path: string, body?: unknown) => {
  const response = await app.request(path, { method, headers: { ...json, cookie }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) })
  return { status: response.status, body: response.status === 204 ? null : ((await response.json()) as any) }
}

const added = (cartId: string) => ({ eventId: randomUUID(), type: 'Cart.ItemAdded', data: { cartId, itemId: 'sencha', quantity: 1, price: 1200 }, metadata: {} })

/** The SSE frames of a live stream, one at a time. */
function frames(body: ReadableStream<Uint8Array>) {
  const reader = body.getReader()
  const text = new TextDecoder()
  let buffer = ''
  return {
    async next(): Promise<string> {
      for (;;) {
        const end = buffer.indexOf('\n\n')
        if (end !== -1) {
          const frame = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          return frame
        }
        const chunk = await reader.read()
        if (chunk.done) throw new Error('the live stream ended')
        buffer += text.decode(chunk.value)
      }
    },
    /** The next frame that is an event (not a comment, nor the retry line). */
    async nextEvent(): Promise<{ event: string; data: any }> {
      for (;;) {
        const frame = await this.next()
        const event = /^event: (.+)$/m.exec(frame)?.[1]
        if (event !== undefined) return { event, data: JSON.parse(/^data: (.+)$/m.exec(frame)![1]!) }
      }
    },
    cancel: () => reader.cancel(),
  }
}

describe('the live channel with spaces', () => {
  it('tells of joining, of a shared space’s heads, and of leaving, after which that space is not heard of', async () => {
    const ann = await signUp('ann-live@example.com')
    const bob = await signUp('bob-live@example.com')
    const { body: created } = await call(ann.cookie, 'POST', '/api/spaces', { name: 'Household' })
    const space = created.space.id as string

    const live = await app.request('/api/sync/live', { headers: { cookie: bob.cookie } })
    expect(live.status).toBe(200)
    const stream = frames(live.body!)
    expect(await stream.nextEvent()).toEqual({ event: 'head', data: { head: 0 } })

    const { body: invited } = await call(ann.cookie, 'POST', `/api/spaces/${space}/invitations`, { role: 'editor' })
    expect((await call(bob.cookie, 'POST', `/api/invitations/${invited.invitation.token}/accept`)).status).toBe(200)
    const joined = await stream.nextEvent()
    expect(joined.event).toBe('spaces')
    expect(joined.data.spaces.map((s: { id: string; role: string }) => [s.id, s.role])).toContainEqual([space, 'editor'])
    expect(await stream.nextEvent()).toEqual({ event: 'space', data: { space, head: 0 } })

    const cartId = randomUUID()
    const pushed = await call(ann.cookie, 'POST', '/api/sync/push', { clientId: 'ann', commits: [{ space, stream: `Cart$${cartId}`, expectedVersion: 'none', events: [added(cartId)] }] })
    expect(pushed.body.results).toEqual([{ status: 'accepted', positions: [0], head: 1 }])
    expect(await stream.nextEvent()).toEqual({ event: 'space', data: { space, head: 1 } })

    expect((await call(bob.cookie, 'DELETE', `/api/spaces/${space}/members/${bob.id}`)).status).toBe(204)
    const left = await stream.nextEvent()
    expect(left.event).toBe('spaces')
    expect(left.data.spaces.some((s: { id: string }) => s.id === space)).toBe(false)

    // A push into the space it left: the next thing it hears is its own head (a push of its own), not the space's.
    await call(ann.cookie, 'POST', '/api/sync/push', { clientId: 'ann', commits: [{ space, stream: `Cart$${cartId}`, expectedVersion: 0, events: [added(cartId)] }] })
    const own = randomUUID()
    await call(bob.cookie, 'POST', '/api/sync/push', { clientId: 'bob', commits: [{ stream: `Cart$${own}`, expectedVersion: 'none', events: [added(own)] }] })
    expect(await stream.nextEvent()).toEqual({ event: 'head', data: { head: 1 } })
    await stream.cancel()
  }, 30_000)
})
