// The limits as a client meets them over real sockets (the app on @hono/node-server, 127.0.0.1,
// in-memory PGlite), issue 24 items 1 and 6: a few push and pull requests of one account at once
// (429 rate_limited with Retry-After past them), pages and quota through the routes, a 413 that
// says `Connection: close` and closes cleanly so that the client's next request works, no cache
// for any /api answer, commits PostgreSQL cannot hold answered per commit, and a server error
// logged without the request's data.
import { serve, type ServerType } from '@hono/node-server'
import { randomUUID } from 'node:crypto'
import { inspect } from 'node:util'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { Db } from '../../src/server/db/Db'
import { migrate } from './support/shopMigrate'
import { openPglite } from '../../src/server/db/pglite'
import { createApp } from './support/shopApp'
import { REQUESTS_PER_ACCOUNT } from '../../src/server/http/limits'
import { signUp } from './support/loopback'

const MiB = 1024 * 1024
const LIMITS = { pageBytes: 4_096, accountBytes: 20_000 }

let db: Db
let server: ServerType
let base = ''

/** Holds every pull's page query while `held` is set, and says how many it holds. */
const pages = {
  held: null as Promise<void> | null,
  waiting: 0,
  onWait: () => {},
  hold() {
    let release = () => {}
    this.held = new Promise<void>((resolve) => (release = resolve))
    this.waiting = 0
    return () => {
      this.held = null
      release()
    }
  },
  /** Resolves once `n` page queries wait. */
  until(n: number) {
    return new Promise<void>((resolve) => {
      const check = () => {
        if (this.waiting >= n) resolve()
        else this.onWait = check
      }
      check()
    })
  },
}

beforeAll(async () => {
  db = await openPglite()
  await migrate(db)
  const held: Db = {
    ...db,
    async query(sql, params) {
      if (pages.held !== null && sql.includes('WITH page')) {
        const wait = pages.held
        pages.waiting++
        pages.onWait()
        await wait
      }
      return db.query(sql, params)
    },
  }
  const app = createApp({
    db: held,
    syncLimits: LIMITS,
    routes: (app) =>
      app.get('/api/test/fails', () => {
        // As a database error carries them: the statement, its parameters, the row's detail.
        throw Object.assign(new Error('value out of range'), { code: '22008', detail: 'Failing row contains (SECRET-ROW)', query: 'INSERT … SECRET-QUERY', parameters: ['SECRET-PARAMETER'] })
      }),
  })
  base = await new Promise<string>((resolve) => {
    server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) => resolve(`http://127.0.0.1:${info.port}`))
  })
}, 60_000)

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()))
  await db.close()
})

/** A cart event carrying about `bytes` bytes more (in its metadata: its data is what the cart's command makes). */
const largeItem = (cartId: string, bytes: number) => ({ ...cartItem(cartId), metadata: { ...cartItem(cartId).metadata, note: 'x'.repeat(bytes) } })

const cartItem = (cartId: string) => ({
  eventId: randomUUID(),
  type: 'Cart.ItemAdded',
  data: { cartId, itemId: 'sencha', quantity: 1, price: 1200 },
  metadata: { correlationId: 'c', timestamp: '2026-11-29T10:00:00.000Z' },
})

async function pushBody(cookie: string, body: unknown) {
  const response = await fetch(`${base}/api/sync/push`, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: JSON.stringify(body) })
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, any> }
}

const pullPage = async (cookie: string, query: string) => {
  const response = await fetch(`${base}/api/sync/pull?${query}`, { headers: { cookie } })
  const text = await response.text()
  return { status: response.status, headers: response.headers, text, body: JSON.parse(text) as Record<string, any> }
}

describe('one account’s push and pull requests at once', () => {
  it(`serves ${REQUESTS_PER_ACCOUNT} at once, answers the next 429 rate_limited with Retry-After: 1, and serves other accounts meanwhile`, async () => {
    const eve = await signUp(base, 'eve@example.com')
    const bob = await signUp(base, 'bob@example.com')
    expect((await pushBody(eve, { clientId: 'e', commits: [{ stream: 'Cart$eve', expectedVersion: -1, events: [cartItem('eve')] }] })).status).toBe(200)
    const release = pages.hold()
    let pulls: Array<Promise<Awaited<ReturnType<typeof pullPage>>>> = []
    try {
      pulls = Array.from({ length: REQUESTS_PER_ACCOUNT }, () => pullPage(eve, 'after=0&limit=400'))
      await pages.until(REQUESTS_PER_ACCOUNT)
      const refused = await pullPage(eve, 'after=0&limit=400')
      expect(refused.status).toBe(429)
      expect(refused.body).toMatchObject({ error: { code: 'rate_limited', message: expect.stringContaining(`At most ${REQUESTS_PER_ACCOUNT} push and pull requests`) } })
      expect(refused.headers.get('retry-after')).toBe('1')
      // A push counts too, and nothing of a refused one is stored.
      const pushed = await pushBody(eve, { clientId: 'e', commits: [{ stream: 'Cart$eve2', expectedVersion: -1, events: [cartItem('eve2')] }] })
      expect(pushed.status).toBe(429)
      // Another account is not held back by it.
      expect((await pushBody(bob, { clientId: 'b', commits: [{ stream: 'Cart$bob', expectedVersion: -1, events: [cartItem('bob')] }] })).status).toBe(200)
    } finally {
      release()
    }
    for (const answer of await Promise.all(pulls)) expect(answer).toMatchObject({ status: 200, body: { head: 1, hasMore: false } })
    // Their places are free again.
    expect((await pullPage(eve, 'after=0')).body).toMatchObject({ head: 1, events: [{ stream: 'Cart$eve' }] })
  })
})

describe('the attack of issue 24 through the routes, scaled down', () => {
  it('stores large events until the quota, answers the next push 413 too_large whole, and pulls pages within the page bytes', async () => {
    const mallory = await signUp(base, 'mallory@example.com')
    const answers: number[] = []
    for (let i = 0; i < 450; i++) {
      const pushed = await pushBody(mallory, { clientId: 'm', commits: [{ stream: `Cart$m${i}`, expectedVersion: -1, events: [largeItem(`m${i}`, 1_000)] }] })
      answers.push(pushed.status)
      if (pushed.status !== 200) {
        expect(pushed.status).toBe(413)
        expect(pushed.body).toMatchObject({ error: { code: 'too_large', message: expect.stringContaining("This account's storage is full") } })
        break
      }
      expect(pushed.body.results).toEqual([{ status: 'accepted', positions: [0], head: i + 1 }])
    }
    const head = answers.length - 1
    expect(answers.at(-1)).toBe(413)
    expect(head).toBeGreaterThan(10)
    expect(head).toBeLessThan(25)
    // Six at once, limit=400 and limit=1000: four are served a page of a few events, two are told to wait.
    for (const limit of [400, 1_000]) {
      const release = pages.hold()
      let settled = 0
      let onSettled = () => {}
      const pulls = Array.from({ length: 6 }, () =>
        pullPage(mallory, `after=0&limit=${limit}`).finally(() => {
          settled++
          onSettled()
        }),
      )
      await pages.until(REQUESTS_PER_ACCOUNT)
      // The two past the limit are answered while the four are held.
      await new Promise<void>((resolve) => {
        const check = () => (settled >= 6 - REQUESTS_PER_ACCOUNT ? resolve() : (onSettled = check))
        check()
      })
      release()
      const answered = await Promise.all(pulls)
      expect(answered.map((answer) => answer.status).sort()).toEqual([200, 200, 200, 200, 429, 429])
      for (const page of answered.filter((answer) => answer.status === 200)) {
        expect(page.body.head).toBe(head)
        expect(page.body.hasMore).toBe(true)
        expect(page.body.events.length).toBeGreaterThan(0)
        expect(page.body.events.length).toBeLessThan(5)
        // The page's JSON: its events' data and metadata within pageBytes, and a little per event.
        expect(page.text.length).toBeLessThan(LIMITS.pageBytes + 300 * page.body.events.length)
      }
    }
  })
})

describe('a body over 1 MiB', () => {
  it('is answered 413 too_large with Connection: close, and the same client’s next request gets its answer', async () => {
    const signup = (email: string) =>
      fetch(`${base}/api/auth/signup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: 'correct horse battery' }) })
    for (let round = 0; round < 8; round++) {
      for (const size of [1.5 * MiB, 4 * MiB, 16 * MiB]) {
        const refused = await fetch(`${base}/api/auth/signup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(size) })
        expect(refused.status).toBe(413)
        expect(refused.headers.get('connection')).toBe('close')
        expect(await refused.json()).toMatchObject({ error: { code: 'too_large' } })
        const next = await signup(`next-${round}-${size}@example.com`)
        expect(next.status).toBe(201)
        await next.text()
      }
    }
  }, 120_000)

  it('sent in chunks without a length, likewise', async () => {
    for (let round = 0; round < 4; round++) {
      const chunk = new TextEncoder().encode('x'.repeat(256 * 1024))
      let sent = 0
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent >= 32) controller.close()
          else {
            sent++
            controller.enqueue(chunk)
          }
        },
      })
      const refused = await fetch(`${base}/api/auth/signup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body, duplex: 'half' } as RequestInit)
      expect(refused.status).toBe(413)
      expect(refused.headers.get('connection')).toBe('close')
      await refused.text()
      expect((await fetch(`${base}/api/health`, { method: 'GET' })).status).toBe(200)
    }
  }, 120_000)
})

describe('Cache-Control', () => {
  it('is no-store on every /api answer: signed in or not, data or error', async () => {
    const cookie = await signUp(base, 'cache@example.com')
    const json = { 'content-type': 'application/json' }
    const answers = await Promise.all([
      fetch(`${base}/api/health`),
      fetch(`${base}/api/auth/signup`, { method: 'POST', headers: json, body: JSON.stringify({ email: 'cache-2@example.com', password: 'correct horse battery' }) }),
      fetch(`${base}/api/auth/login`, { method: 'POST', headers: json, body: JSON.stringify({ email: 'cache@example.com', password: 'wrong password' }) }),
      fetch(`${base}/api/auth/me`, { headers: { cookie } }),
      fetch(`${base}/api/auth/me`),
      fetch(`${base}/api/sync/pull?after=0`, { headers: { cookie } }),
      fetch(`${base}/api/sync/pull?after=x`, { headers: { cookie } }),
      fetch(`${base}/api/sync/push`, { method: 'POST', headers: { ...json, cookie }, body: JSON.stringify({ clientId: 'c', commits: [] }) }),
      fetch(`${base}/api/sync/push`, { method: 'POST', headers: { ...json, cookie }, body: 'x'.repeat(2 * MiB) }),
      fetch(`${base}/api/orders`, { headers: { cookie } }),
      fetch(`${base}/api/nothing-here`),
    ])
    expect(answers.map((answer) => answer.status)).toEqual([200, 201, 401, 200, 401, 200, 400, 200, 413, 200, 404])
    for (const answer of answers) {
      expect(answer.headers.get('cache-control')).toBe('no-store')
      await answer.arrayBuffer()
    }
  })
})

describe('what PostgreSQL cannot hold, over HTTP', () => {
  it('answers a NUL in a stream or data and a lone surrogate with that commit’s `rejected: invalid`, never 500', async () => {
    const cookie = await signUp(base, 'nul@example.com')
    // As JSON sends them: \u0000 and \ud800 escapes.
    const text = `{"clientId":"laptop","commits":[
      {"stream":"Cart$ok","expectedVersion":-1,"events":[${JSON.stringify(cartItem('ok'))}]},
      {"stream":"Cart$nul\\u0000","expectedVersion":-1,"events":[${JSON.stringify(cartItem('nul'))}]},
      {"stream":"Cart$data","expectedVersion":-1,"events":[{"eventId":"${randomUUID()}","type":"Cart.ItemAdded","data":{"cartId":"data","itemId":"sencha\\u0000","quantity":1,"price":1200},"metadata":{}}]},
      {"stream":"Cart$half","expectedVersion":-1,"events":[{"eventId":"${randomUUID()}","type":"Cart.ItemAdded","data":{"cartId":"half","itemId":"sencha","quantity":1,"price":1200,"x":"\\ud800"},"metadata":{}}]}]}`
    const response = await fetch(`${base}/api/sync/push`, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: text })
    expect(response.status).toBe(200)
    const answer = (await response.json()) as { results: Array<{ status: string; reason?: string }> }
    expect(answer.results.map((result) => result.reason ?? result.status)).toEqual(['accepted', 'invalid', 'invalid', 'invalid'])
    const withNul = await fetch(`${base}/api/sync/push`, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: '{"clientId":"lap\\u0000top","commits":[]}' })
    expect(withNul.status).toBe(400)
    expect(await withNul.json()).toMatchObject({ error: { code: 'invalid' } })
  })

  it('logs a server error by its name, code, message and frames, without the request’s query or the error’s data', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {})
    try {
      const response = await fetch(`${base}/api/test/fails?token=SECRET-QUERY-STRING`)
      expect(response.status).toBe(500)
      expect(await response.json()).toEqual({ error: { code: 'internal', message: 'Something went wrong on the server.' } })
      const text = logged.mock.calls.map((call) => call.map((part) => (typeof part === 'string' ? part : inspect(part, { depth: 5 }))).join(' ')).join('\n')
      expect(text).toContain('GET /api/test/fails: Error 22008: value out of range')
      expect(text).toMatch(/\n\s+at /)
      expect(text).not.toContain('SECRET')
    } finally {
      logged.mockRestore()
    }
  })
})
