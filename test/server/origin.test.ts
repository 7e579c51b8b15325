// The names the server answers to (issue 24, item 6: the origin check trusted Host alone). A page
// at evil.example whose owner points that name at 127.0.0.1 (DNS rebinding) sends
// `Host: evil.example` with `Origin: http://evil.example`, which agree: a real server process
// (PGlite and PostgreSQL) refuses it, GETs too, with 403 `bad_origin` and nothing stored, while
// its addresses, localhost (Vite's dev proxy passes the page's `localhost:5173` on) and the
// names listed in KIROKU_ORIGIN are answered, behind a trusted proxy by X-Forwarded-Host. And the
// rule and the settings themselves, in process.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../server/config'
import { isOwnHost } from '../../src/server/http/guards'
import { addressKey, defaultMaxConnections, openFileLimit } from '../../src/server/http/listen'
import { call, postJson, type Answer } from './support/abuseHttp'
import { startPostgres, type PostgresCluster } from './support/postgres'
import { killAll, startServer, type ServerProcess, type Storage } from './support/serverProcess'

let cluster: PostgresCluster | undefined
let temp: string

beforeAll(async () => {
  temp = mkdtempSync(join(tmpdir(), 'kiroku-origin-'))
  cluster = await startPostgres()
}, 120_000)

afterAll(async () => {
  try {
    await killAll()
    await cluster?.stop()
  } finally {
    if (temp) rmSync(temp, { recursive: true, force: true })
  }
}, 60_000)

const codeOf = (answer: Answer) => ({ status: answer.status, code: answer.text.startsWith('{') ? (JSON.parse(answer.text) as { error?: { code: string } }).error?.code : undefined })

describe.each([
  { name: 'pglite', storage: (dir: string): Storage => ({ KIROKU_DATA_DIR: join(temp, dir) }) },
  { name: 'postgres', storage: (): Storage => ({ DATABASE_URL: cluster!.url }) },
])('a server process on $name', ({ name, storage }) => {
  describe('with no KIROKU_ORIGIN', () => {
    let server: ServerProcess
    let port: string
    beforeAll(async () => {
      server = await startServer(storage(`${name}-plain`))
      port = new URL(server.base).port
    }, 120_000)
    afterAll(async () => {
      await server?.stop()
    }, 30_000)

    const signup = (email: string, host: string) =>
      postJson(server.base, '/api/auth/signup', { email, password: 'correct horse battery' }, { headers: { host, origin: `http://${host}` } })

    it('refuses a rebound name: its POST (Host and Origin agree) and its GETs are 403 bad_origin, and nothing is stored', async () => {
      const email = `rebound-${name}@example.com`
      for (const host of [`evil.example:${port}`, 'evil.example', `127.0.0.1.nip.io:${port}`, `localhost.evil.example:${port}`]) {
        expect(codeOf(await signup(email, host))).toEqual({ status: 403, code: 'bad_origin' })
        expect(codeOf(await call(server.base, '/api/health', { headers: { host } }))).toEqual({ status: 403, code: 'bad_origin' })
        expect(codeOf(await call(server.base, '/api/sync/pull?after=0', { headers: { host } }))).toEqual({ status: 403, code: 'bad_origin' })
      }
      // The email was never taken.
      expect((await signup(email, `127.0.0.1:${port}`)).status).toBe(201)
    }, 30_000)

    it('answers its addresses and localhost on any port (the dev proxy passes localhost:5173 on), and still checks Origin against them', async () => {
      let n = 0
      for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, 'localhost:5173', `app.localhost:${port}`, `10.0.0.5:${port}`]) {
        expect((await call(server.base, '/api/health', { headers: { host } })).status).toBe(200)
        expect((await signup(`own-${name}-${++n}@example.com`, host)).status).toBe(201)
      }
      const crossSite = await postJson(server.base, '/api/auth/signup', { email: `cross-${name}@example.com`, password: 'correct horse battery' }, { headers: { host: `localhost:${port}`, origin: 'http://localhost:5173' } })
      expect(codeOf(crossSite)).toEqual({ status: 403, code: 'bad_origin' })
    }, 30_000)
  })

  describe('behind a trusted proxy with KIROKU_ORIGIN=https://shop.example', () => {
    let server: ServerProcess
    beforeAll(async () => {
      server = await startServer(Object.assign(storage(`${name}-proxied`), { KIROKU_TRUST_PROXY: '1', KIROKU_ORIGIN: 'https://shop.example' }))
    }, 120_000)
    afterAll(async () => {
      await server?.stop()
    }, 30_000)

    const signup = (email: string, headers: Record<string, string>) => postJson(server.base, '/api/auth/signup', { email, password: 'correct horse battery' }, { headers })

    it('answers the name the proxy forwards when it is listed, and refuses any other', async () => {
      const forwarded = { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.7' }
      const shop = await signup(`shop-${name}@example.com`, { ...forwarded, 'x-forwarded-host': 'shop.example', origin: 'https://shop.example' })
      expect(shop.status).toBe(201)
      expect(String(shop.headers['set-cookie'])).toMatch(/; Secure/)
      const evil = await signup(`evil-${name}@example.com`, { ...forwarded, 'x-forwarded-host': 'evil.example', origin: 'https://evil.example' })
      expect(codeOf(evil)).toEqual({ status: 403, code: 'bad_origin' })
      expect(codeOf(await call(server.base, '/api/health', { headers: { ...forwarded, 'x-forwarded-host': 'evil.example' } }))).toEqual({ status: 403, code: 'bad_origin' })
      // Its own address, as a health check on the proxy's side calls it.
      expect((await call(server.base, '/api/health')).status).toBe(200)
    }, 30_000)
  })
})

describe('the rule', () => {
  const plain = { origins: [], trustProxy: false }
  it('takes IP addresses and localhost on any port, and listed hosts with their port', () => {
    for (const origin of ['http://127.0.0.1:8787', 'http://[::1]:1', 'http://192.168.1.5', 'http://localhost:5173', 'https://a.localhost']) expect(isOwnHost(origin, plain)).toBe(true)
    for (const origin of ['http://evil.example:8787', 'http://localhost.evil.example', 'http://127.0.0.1.nip.io']) expect(isOwnHost(origin, plain)).toBe(false)
    const listed = { origins: ['https://shop.example', 'http://shop.example:8080'], trustProxy: false }
    expect(isOwnHost('https://shop.example', listed)).toBe(true)
    expect(isOwnHost('http://shop.example:8080', listed)).toBe(true)
    expect(isOwnHost('http://shop.example:9090', listed)).toBe(false)
    expect(isOwnHost('https://www.shop.example', listed)).toBe(false)
  })

  it('behind a trusted proxy with no names listed, takes whatever host the proxy forwards', () => {
    expect(isOwnHost('https://shop.example', { origins: [], trustProxy: true })).toBe(true)
    expect(isOwnHost('https://evil.example', { origins: ['https://shop.example'], trustProxy: true })).toBe(false)
  })
})

describe('the settings', () => {
  it('reads KIROKU_ORIGIN as a list of origins and refuses anything else', () => {
    expect(loadConfig({}).origins).toEqual([])
    expect(loadConfig({ KIROKU_ORIGIN: 'https://Shop.Example, https://shop.example:8443/' }).origins).toEqual(['https://shop.example', 'https://shop.example:8443'])
    for (const bad of ['shop.example', 'https://shop.example/app', 'ftp://shop.example', 'localhost:8787']) expect(() => loadConfig({ KIROKU_ORIGIN: bad })).toThrow(/KIROKU_ORIGIN/)
  })

  it("reads one account's share and the bodies in flight, 4 MiB a second and at once, and 256 MiB, by default", () => {
    expect(loadConfig({})).toMatchObject({ byteBudget: { bytesPerSecond: 4 * 1024 * 1024, burstBytes: 4 * 1024 * 1024 }, bodiesInFlight: 256 * 1024 * 1024 })
    expect(loadConfig({ KIROKU_ACCOUNT_BYTES_PER_SECOND: '1000', KIROKU_ACCOUNT_BURST_BYTES: '2000', KIROKU_BODIES_IN_FLIGHT: '3000' })).toMatchObject({
      byteBudget: { bytesPerSecond: 1000, burstBytes: 2000 },
      bodiesInFlight: 3000,
    })
    for (const bad of [{ KIROKU_ACCOUNT_BYTES_PER_SECOND: '0' }, { KIROKU_ACCOUNT_BURST_BYTES: 'lots' }, { KIROKU_BODIES_IN_FLIGHT: '-1' }]) expect(() => loadConfig(bad)).toThrow(/KIROKU_/)
  })

  it('reads the connection limits, with defaults below the open-file limit', () => {
    const limits = loadConfig({}).limits
    expect(limits).toMatchObject({ headersTimeoutMs: 10_000, requestTimeoutMs: 60_000, keepAliveTimeoutMs: 5_000 })
    const files = openFileLimit()
    if (files !== undefined) expect(limits.maxConnections).toBeLessThan(files)
    expect(limits.maxConnectionsPerAddress).toBe(Math.floor(limits.maxConnections / 4))
    expect(loadConfig({ KIROKU_TRUST_PROXY: '1' }).limits.maxConnectionsPerAddress).toBe(0)
    expect(loadConfig({ KIROKU_MAX_CONNECTIONS: '100', KIROKU_MAX_CONNECTIONS_PER_ADDRESS: '7', KIROKU_HEADERS_TIMEOUT_MS: '500' }).limits).toMatchObject({ maxConnections: 100, maxConnectionsPerAddress: 7, headersTimeoutMs: 500 })
    for (const bad of [{ KIROKU_MAX_CONNECTIONS: '0' }, { KIROKU_HEADERS_TIMEOUT_MS: '1.5' }, { KIROKU_REQUEST_TIMEOUT_MS: 'soon' }, { KIROKU_HEADERS_TIMEOUT_MS: '9000', KIROKU_REQUEST_TIMEOUT_MS: '5000' }])
      expect(() => loadConfig(bad)).toThrow(/KIROKU_/)
    expect(defaultMaxConnections(20_000)).toBe(18_000)
    expect(defaultMaxConnections(1_024)).toBe(768)
    expect(defaultMaxConnections(1_048_576)).toBe(20_000)
    expect(openFileLimit(() => 'Max open files            4096                 8192                 files     \n')).toBe(4096)
  })

  it('counts an IPv4 address as itself and an IPv6 address by its /64', () => {
    expect(addressKey('127.0.0.5')).toBe('127.0.0.5')
    expect(addressKey('::ffff:127.0.0.5')).toBe('127.0.0.5')
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64')
    expect(addressKey('2001:db8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64')
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64')
    expect(addressKey('::1')).toBe('0:0:0:0::/64')
  })
})
