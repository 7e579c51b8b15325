// Behind a TLS proxy: with KIROKU_TRUST_PROXY=1 (createApp's trustProxy) the origin check, the
// session cookie's Secure flag and the login rate limit's address follow X-Forwarded-Proto, -Host
// and -For; without it those headers, which anyone can send, change nothing. Two apps over one
// in-memory PGlite, called with app.request (no socket: the peer's address is 'unknown').
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../server/config'
import type { Db } from '../../src/server/db/Db'
import { migrate } from './support/shopMigrate'
import { openPglite } from '../../src/server/db/pglite'
import { createApp, type App } from './support/shopApp'

let db: Db
let trusting: App
let plain: App
beforeAll(async () => {
  db = await openPglite()
  await migrate(db)
  // A fixed clock: the rate limit's attempts all fall in one minute's window.
  const auth = { loginAttemptsPerMinute: 3, now: () => new Date('2026-11-30T10:00:30.000Z') }
  trusting = createApp({ db, auth, trustProxy: true })
  plain = createApp({ db, auth })
}, 60_000)
afterAll(async () => {
  await db?.close()
})

/** What the proxy at https://shop.example forwards to the server at http://10.0.0.5:8787. */
const forwarded = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'shop.example', 'x-forwarded-for': '203.0.113.7, 10.0.0.1' }
const DIRECT = 'http://10.0.0.5:8787'

let emails = 0
function signup(app: App, headers: Record<string, string>) {
  return app.request(`${DIRECT}/api/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ email: `proxied-${++emails}@example.com`, password: 'correct horse' }),
  })
}

function login(app: App, email: string, headers: Record<string, string>) {
  return app.request(`${DIRECT}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ email, password: 'wrong password' }),
  })
}

const codeOf = async (response: Response) => ({ status: response.status, code: ((await response.json()) as { error?: { code: string } }).error?.code })
const sessionCookieOf = (response: Response) => response.headers.getSetCookie().find((cookie) => cookie.startsWith('kiroku_session='))

describe('behind a trusted TLS proxy (KIROKU_TRUST_PROXY=1)', () => {
  it('checks the Origin against X-Forwarded-Proto and X-Forwarded-Host, not the address the proxy called', async () => {
    expect((await signup(trusting, { ...forwarded, origin: 'https://shop.example' })).status).toBe(201)
    expect(await codeOf(await signup(trusting, { ...forwarded, origin: DIRECT }))).toEqual({ status: 403, code: 'bad_origin' })
    expect(await codeOf(await signup(trusting, { ...forwarded, origin: 'http://shop.example' }))).toEqual({ status: 403, code: 'bad_origin' })
    // A port in X-Forwarded-Host, and the first of several values.
    const withPort = { 'x-forwarded-proto': 'https, http', 'x-forwarded-host': 'shop.example:8443, inner' }
    expect((await signup(trusting, { ...withPort, origin: 'https://shop.example:8443' })).status).toBe(201)
    // No forwarded headers: the request's own origin.
    expect((await signup(trusting, { origin: DIRECT })).status).toBe(201)
  })

  it('sets the session cookie Secure when X-Forwarded-Proto is https, and only then', async () => {
    expect(sessionCookieOf(await signup(trusting, forwarded))).toMatch(/; Secure/)
    expect(sessionCookieOf(await signup(trusting, { ...forwarded, 'x-forwarded-proto': 'http' }))).not.toMatch(/Secure/)
  })

  it('rate-limits logins by the first X-Forwarded-For address', async () => {
    for (let i = 0; i < 3; i++) expect((await login(trusting, 'guess@example.com', forwarded)).status).toBe(401)
    expect(await codeOf(await login(trusting, 'guess@example.com', forwarded))).toEqual({ status: 429, code: 'rate_limited' })
    expect(await codeOf(await login(trusting, 'guess@example.com', { ...forwarded, 'x-forwarded-for': '198.51.100.2' }))).toEqual({ status: 401, code: 'bad_credentials' })
  })
})

describe('without KIROKU_TRUST_PROXY', () => {
  it('ignores X-Forwarded-Proto and X-Forwarded-Host in the origin check', async () => {
    expect(await codeOf(await signup(plain, { ...forwarded, origin: 'https://shop.example' }))).toEqual({ status: 403, code: 'bad_origin' })
    expect((await signup(plain, { ...forwarded, origin: DIRECT })).status).toBe(201)
  })

  it('never sets the cookie Secure on the say-so of X-Forwarded-Proto', async () => {
    expect(sessionCookieOf(await signup(plain, forwarded))).not.toMatch(/Secure/)
  })

  it('ignores X-Forwarded-For in the rate limit: another claimed address is still limited', async () => {
    for (let i = 0; i < 3; i++) expect((await login(plain, 'spoof@example.com', { 'x-forwarded-for': `192.0.2.${i}` })).status).toBe(401)
    expect(await codeOf(await login(plain, 'spoof@example.com', { 'x-forwarded-for': '192.0.2.99' }))).toEqual({ status: 429, code: 'rate_limited' })
  })
})

describe('KIROKU_TRUST_PROXY in the configuration', () => {
  it('is off unless set to 1, and refuses anything else than 0 or 1', () => {
    expect(loadConfig({}).trustProxy).toBe(false)
    expect(loadConfig({ KIROKU_TRUST_PROXY: '0' }).trustProxy).toBe(false)
    expect(loadConfig({ KIROKU_TRUST_PROXY: '1' }).trustProxy).toBe(true)
    expect(() => loadConfig({ KIROKU_TRUST_PROXY: 'yes' })).toThrow(/KIROKU_TRUST_PROXY/)
  })
})
