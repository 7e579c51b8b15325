// Sockets without an account (issue 24, item 5), against real server processes over loopback
// (127.0.0.x: every one is this machine), on PGlite and on PostgreSQL, with the limits made small
// through their KIROKU_* variables so that the test is quick: a socket that sends half a header or
// a body a byte a second is closed by the server (408) while a live stream outlives every one of
// those timeouts; past the cap per address a new socket from that address is closed at once; at
// the cap on all sockets the one that waited longest without a request makes room, so that
// /api/health and a signed-in user are answered from another address.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { call, openStream, postJson, signUpFrom } from './support/abuseHttp'
import { startPostgres, type PostgresCluster } from './support/postgres'
import { HALF_HEADER, rawSocket, REST_OF_HEADER, slowBody, type RawSocket } from './support/rawSocket'
import { itemAdded, killAll, startServer, type ServerProcess, type Storage } from './support/serverProcess'

let cluster: PostgresCluster | undefined
let temp: string

beforeAll(async () => {
  temp = mkdtempSync(join(tmpdir(), 'kiroku-connections-'))
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

/** Opens `count` sockets from `from` one after the other, each sending half a header; resolves once all are connected. */
async function halfHeaders(base: string, count: number, from: string): Promise<RawSocket[]> {
  const sockets: RawSocket[] = []
  for (let i = 0; i < count; i++) {
    const socket = rawSocket(base, HALF_HEADER, from)
    await socket.connected
    sockets.push(socket)
  }
  return sockets
}

describe.each([
  { name: 'pglite', storage: (dir: string): Storage => ({ KIROKU_DATA_DIR: join(temp, dir) }) },
  { name: 'postgres', storage: (): Storage => ({ DATABASE_URL: cluster!.url }) },
])('connections on $name', ({ name, storage }) => {
  describe('with timeouts of 0.5 s for headers and idling and 1.5 s for a whole request', () => {
    let server: ServerProcess
    beforeAll(async () => {
      server = await startServer(Object.assign(storage(`${name}-timeouts`), { KIROKU_HEADERS_TIMEOUT_MS: '500', KIROKU_REQUEST_TIMEOUT_MS: '1500', KIROKU_KEEP_ALIVE_TIMEOUT_MS: '500' }))
    }, 120_000)
    afterAll(async () => {
      await server?.stop()
    }, 30_000)

    it('closes a socket that sends half a header, answering 408', async () => {
      const socket = rawSocket(server.base, HALF_HEADER, '127.0.0.20')
      await socket.connected
      expect(await socket.closed).toMatch(/^HTTP\/1\.1 408 /)
    }, 30_000)

    it('closes a socket that sends its body a byte a second before the body is in, answering 408', async () => {
      const { text, sent } = await slowBody(server.base, '/api/auth/login', { length: 100, everyMs: 1_000, from: '127.0.0.21' })
      expect(text).toMatch(/^HTTP\/1\.1 408 /)
      expect(sent).toBeLessThan(100)
    }, 30_000)

    it('keeps a live stream open past all of them: it still hears the next push', async () => {
      const cookie = await signUpFrom(server.base, `live-${name}@example.com`, '127.0.0.22')
      const live = await openStream(server.base, '/api/sync/live', { headers: { cookie }, from: '127.0.0.22' })
      try {
        expect(live.status).toBe(200)
        await live.until(/event: head\ndata: \{"head":0\}/)
        // Opened after the stream and closed by the server for taking too long: the stream is now
        // older than the headers, the request and the keep-alive timeouts.
        const half = rawSocket(server.base, HALF_HEADER, '127.0.0.23')
        expect(await half.closed).toMatch(/^HTTP\/1\.1 408 /)
        expect((await slowBody(server.base, '/api/auth/login', { length: 100, everyMs: 1_000, from: '127.0.0.23' })).text).toMatch(/^HTTP\/1\.1 408 /)

        const cartId = `cart-${name}`
        const body = { clientId: 'laptop', commits: [{ stream: `Cart$${cartId}`, expectedVersion: -1, events: [itemAdded(cartId)] }] }
        expect((await postJson(server.base, '/api/sync/push', body, { headers: { cookie }, from: '127.0.0.22' })).status).toBe(200)
        await live.until(/event: head\ndata: \{"head":1\}/)
      } finally {
        live.close()
      }
    }, 30_000)
  })

  describe('with at most 45 sockets, 20 of them from one address', () => {
    let server: ServerProcess
    beforeAll(async () => {
      server = await startServer(Object.assign(storage(`${name}-caps`), { KIROKU_MAX_CONNECTIONS: '45', KIROKU_MAX_CONNECTIONS_PER_ADDRESS: '20' }))
    }, 120_000)
    afterAll(async () => {
      await server?.stop()
    }, 30_000)

    it('closes a 21st socket from one address at once, and at the cap makes room for health and a signed-in user from another', async () => {
      const bystander = await signUpFrom(server.base, `bystander-${name}@example.com`, '127.0.0.9')
      const first = await halfHeaders(server.base, 20, '127.0.0.5')
      const refused = rawSocket(server.base, HALF_HEADER, '127.0.0.5')
      await refused.connected
      // Closed by the server with nothing said; the 20 before it are still there and answer.
      expect(await refused.closed).toBe('')
      first[19]!.send(REST_OF_HEADER)
      expect(await first[19]!.closed).toMatch(/^HTTP\/1\.1 200 /)
      expect((await call(server.base, '/api/health', { from: '127.0.0.6' })).status).toBe(200)

      // 19 + 20 + 20 sockets that never send a whole header: at least 14 past the cap of 45.
      const more = [...(await halfHeaders(server.base, 20, '127.0.0.7')), ...(await halfHeaders(server.base, 20, '127.0.0.8'))]
      const waiting = [...first.slice(0, 19), ...more]
      // The oldest ones made room, with nothing said.
      for (const socket of waiting.slice(0, waiting.length - 45)) expect(await socket.closed).toBe('')
      // Still at the cap: health and the signed-in user are answered, each in the place of the oldest.
      expect((await call(server.base, '/api/health', { from: '127.0.0.9' })).status).toBe(200)
      const pulled = await call(server.base, '/api/sync/pull?after=0', { headers: { cookie: bystander }, from: '127.0.0.9' })
      expect(pulled.status).toBe(200)
      expect(JSON.parse(pulled.text)).toMatchObject({ events: [], head: 0 })
      // And the newest waiting socket is still there: the rest of its header gets its answer.
      const newest = waiting.at(-1)!
      newest.send(REST_OF_HEADER)
      expect(await newest.closed).toMatch(/^HTTP\/1\.1 200 /)
      for (const socket of waiting) socket.destroy()
    }, 60_000)

    it('makes room at the cap by closing sockets whose headers are in but whose body dribbles', async () => {
      // Whole headers, then one byte of a 100-byte body: a request that is never all in.
      const dribbling = async (from: string) => {
        const socket = rawSocket(server.base, 'POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{', from)
        await socket.connected
        return socket
      }
      const held: RawSocket[] = []
      for (const from of ['127.0.0.30', '127.0.0.31', '127.0.0.32']) for (let i = 0; i < 15; i++) held.push(await dribbling(from))
      // At the cap of 45: health and a sign-up are still answered, each in the place of the oldest.
      expect((await call(server.base, '/api/health', { from: '127.0.0.33' })).status).toBe(200)
      await signUpFrom(server.base, `dribbled-${name}@example.com`, '127.0.0.33')
      expect(await held[0]!.closed).toBe('')
      for (const socket of held) socket.destroy()
    }, 60_000)
  })
})
