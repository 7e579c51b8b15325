// The HTTP app black-box over loopback: the real app on @hono/node-server, in-memory PGlite.
import { describe, expect, it } from 'vitest'
import { MAX_BODY, requireUser } from './support/shopApp'
import { loopbackServer } from './support/loopback'

const server = loopbackServer({
  // A fixed clock: the rate limit's attempts all fall in one minute's window.
  auth: { loginAttemptsPerMinute: 3, now: () => new Date('2026-11-30T10:00:30.000Z') },
  // Stands in for a route behind the session: mounted behind requireUser.
  routes: (api, { db }) => {
    api.use('/api/sync/*', requireUser(db))
    api.get('/api/sync/whoami', (c) => c.json({ id: c.var.user.id }))
  },
})

function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(server.base + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
}

/** The `name=value` part of the session cookie a response sets. */
function sessionCookie(response: Response): string {
  const header = response.headers.getSetCookie().find((c) => c.startsWith('kiroku_session='))
  expect(header).toBeDefined()
  return header!.split(';')[0]!
}

async function errorOf(response: Response) {
  return { status: response.status, ...((await response.json()) as { error: { code: string; message: string } }).error }
}

describe('the sync server over HTTP', () => {
  it('answers health with its storage', async () => {
    const response = await fetch(`${server.base}/api/health`)
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ ok: true, storage: 'pglite' })
  })

  it('signs up, reads me, logs out (session void), logs in again', async () => {
    const signup = await post('/api/auth/signup', { email: ' Eve@Example.com', password: 'long password' })
    expect(signup.status).toBe(201)
    const { user } = (await signup.json()) as { user: { id: string; email: string } }
    expect(user).toEqual({ id: expect.any(String), email: 'eve@example.com' })
    const setCookie = signup.headers.getSetCookie().join('\n')
    expect(setCookie).toMatch(/kiroku_session=[^;]+/)
    expect(setCookie).toMatch(/HttpOnly/)
    expect(setCookie).toMatch(/SameSite=Strict/)
    expect(setCookie).toMatch(/Path=\//)
    expect(setCookie).not.toMatch(/Secure/) // plain http
    const cookie = sessionCookie(signup)

    const me = await fetch(`${server.base}/api/auth/me`, { headers: { cookie } })
    expect(me.status).toBe(200)
    expect(await me.json()).toEqual({ user })
    expect((await fetch(`${server.base}/api/sync/whoami`, { headers: { cookie } })).status).toBe(200)

    const out = await post('/api/auth/logout', '', { cookie, origin: server.base })
    expect(out.status).toBe(204)
    expect(await errorOf(await fetch(`${server.base}/api/auth/me`, { headers: { cookie } }))).toMatchObject({ status: 401, code: 'unauthenticated' })

    const login = await post('/api/auth/login', { email: 'EVE@example.com', password: 'long password' })
    expect(login.status).toBe(200)
    expect(await login.json()).toEqual({ user })
    const again = await fetch(`${server.base}/api/auth/me`, { headers: { cookie: sessionCookie(login) } })
    expect(await again.json()).toEqual({ user })
  })

  it('answers with the protocol error codes', async () => {
    expect(await errorOf(await post('/api/auth/signup', { email: 'nope', password: 'long password' }))).toMatchObject({ status: 400, code: 'invalid' })
    expect(await errorOf(await post('/api/auth/signup', { email: 'x@example.com', password: 'short' }))).toMatchObject({ status: 400, code: 'invalid' })
    expect(await errorOf(await post('/api/auth/signup', '{"email":'))).toMatchObject({ status: 400, code: 'invalid' })
    expect(await errorOf(await post('/api/auth/signup', { email: 42 }))).toMatchObject({ status: 400, code: 'invalid' })
    expect(await errorOf(await post('/api/auth/signup', { email: 'eve@example.com', password: 'long password' }))).toMatchObject({ status: 409, code: 'email_taken' })
    expect(await errorOf(await post('/api/auth/login', { email: 'eve@example.com', password: 'wrong password' }))).toMatchObject({ status: 401, code: 'bad_credentials' })
    expect(await errorOf(await post('/api/auth/login', { email: 'who@example.com', password: 'long password' }))).toMatchObject({ status: 401, code: 'bad_credentials' })
    expect(await errorOf(await fetch(`${server.base}/api/auth/me`))).toMatchObject({ status: 401, code: 'unauthenticated' })
    expect(await errorOf(await fetch(`${server.base}/api/auth/me`, { headers: { cookie: 'kiroku_session=forged' } }))).toMatchObject({ status: 401, code: 'unauthenticated' })
    expect(await errorOf(await fetch(`${server.base}/api/sync/whoami`))).toMatchObject({ status: 401, code: 'unauthenticated' })
    expect(await errorOf(await fetch(`${server.base}/api/nothing`))).toMatchObject({ status: 404, code: 'not_found' })
  })

  it('refuses a POST from another origin (403 bad_origin) and allows its own or none', async () => {
    const port = new URL(server.base).port
    for (const origin of ['http://evil.example', `http://localhost:${port}`, `https://127.0.0.1:${port}`, 'http://127.0.0.1:1', 'null']) {
      expect(await errorOf(await post('/api/auth/signup', { email: 'o@example.com', password: 'long password' }, { origin }))).toMatchObject({
        status: 403,
        code: 'bad_origin',
      })
    }
    expect((await post('/api/auth/signup', { email: 'o@example.com', password: 'long password' }, { origin: server.base })).status).toBe(201)
    expect((await post('/api/auth/logout', '')).status).toBe(204)
  })

  it('rate-limits login attempts per email and address (429 rate_limited)', async () => {
    const attempt = () => post('/api/auth/login', { email: 'limited@example.com', password: 'wrong password' })
    for (let i = 0; i < 3; i++) expect((await attempt()).status).toBe(401)
    expect(await errorOf(await attempt())).toMatchObject({ status: 429, code: 'rate_limited' })
    // Another email is not limited by it.
    expect((await post('/api/auth/login', { email: 'other@example.com', password: 'wrong password' })).status).toBe(401)
  })

  // Last: the server closes a connection whose big body it did not read.
  it('refuses a body over 1 MiB with 413 too_large', async () => {
    const big = JSON.stringify({ email: 'big@example.com', password: 'x'.repeat(MAX_BODY) })
    expect(await errorOf(await post('/api/auth/signup', big))).toMatchObject({ status: 413, code: 'too_large' })
    // Chunked, with no Content-Length.
    const chunked = await fetch(`${server.base}/api/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new Blob([big]).stream(),
      duplex: 'half',
    } as RequestInit)
    expect(await errorOf(chunked)).toMatchObject({ status: 413, code: 'too_large' })
  })
})
