// Live streams under abuse. A real server process (on a throwaway PostgreSQL), over loopback: a thousand idle
// /api/sync/live connections on one account (20 are let in, the rest answered 429 rate_limited with
// a Retry-After) and across 50 accounts (all in; the process's memory bounded, its sockets all
// released once they close). In-process (app.request, so the stream's only buffer is the
// server's own): a client that never reads its stream gets its heads coalesced, and one whose
// writes wait too long is dropped.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Db } from '../../src/server/db/Db'
import { migrate } from './support/shopMigrate'
import { openPglite } from '../../src/server/db/pglite'
import { createApp, LIVE_PER_USER, type App } from './support/shopApp'
import { call, inWaves, openFilesOf, openStream, rssOf, signUpFrom, type Stream } from './support/abuseHttp'
import { startPostgres, type PostgresCluster } from './support/postgres'
import { itemAdded, killAll, startServer, type ServerProcess } from './support/serverProcess'

const MB = 1024 * 1024

describe('a thousand idle live streams on a server process', () => {
  let cluster: PostgresCluster | undefined
  let server: ServerProcess

  beforeAll(async () => {
    cluster = await startPostgres()
    server = await startServer({ DATABASE_URL: cluster.url })
  }, 180_000)

  afterAll(async () => {
    await server?.stop().catch(() => killAll())
    await cluster?.stop()
  }, 60_000)

  const live = (cookie: string) => openStream(server.base, '/api/sync/live', { headers: { cookie } })

  /** Once every stream is closed: the server lets `cookie`'s user open its whole allowance again. */
  async function allowanceBack(cookie: string): Promise<Stream[]> {
    for (let round = 0; ; round++) {
      const streams = await Promise.all(Array.from({ length: LIVE_PER_USER }, () => live(cookie)))
      if (streams.every((stream) => stream.status === 200)) return streams
      for (const stream of streams) stream.close()
      if (round === 50) throw new Error('the server did not release the closed streams')
      // The server learns of a close from its socket: look again shortly.
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }

  it(`on one account: ${LIVE_PER_USER} are let in, the rest are 429 rate_limited with a Retry-After, and closing frees them`, async () => {
    const cookie = await signUpFrom(server.base, 'one@example.com', '127.0.0.2')
    const streams = await inWaves(1000, 100, () => live(cookie))
    const open = streams.filter((stream) => stream.status === 200)
    expect(open).toHaveLength(LIVE_PER_USER)
    for (const stream of open) await stream.until(/event: head\ndata: \{"head":0\}/)
    const refused = streams.filter((stream) => stream.status === 429)
    expect(refused).toHaveLength(1000 - LIVE_PER_USER)
    for (const stream of refused) expect(Number(stream.headers['retry-after'])).toBeGreaterThanOrEqual(1)
    expect((await call(server.base, '/api/health')).status).toBe(200)
    for (const stream of streams) stream.close()
    for (const stream of await allowanceBack(cookie)) stream.close()
  }, 240_000)

  it('across 50 accounts: all 1,000 are in, memory stays bounded, and every socket is released once they close', async () => {
    const cookies = await inWaves(50, 5, (i) => signUpFrom(server.base, `many-${i}@example.com`, '127.0.0.3'))
    const [rssBefore, filesBefore] = [rssOf(server.pid), openFilesOf(server.pid)]
    const streams = await inWaves(1000, 100, async (i) => {
      const stream = await live(cookies[i % 50]!)
      expect(stream.status).toBe(200)
      await stream.until(/event: head/)
      return stream
    })
    const [rssOpen, filesOpen] = [rssOf(server.pid), openFilesOf(server.pid)]
    // Each open stream holds a socket. A few keep-alive sockets of the sign-ups may close meanwhile
    // (one did on a fresh machine: 999 more), so the bound leaves room for them.
    expect(filesOpen - filesBefore).toBeGreaterThanOrEqual(1000 - 50)
    // Generous: measured at tens of KB a stream (bench/sync/sections/6-abuse.md).
    expect(rssOpen - rssBefore).toBeLessThan(300 * MB)
    expect((await call(server.base, '/api/health')).status).toBe(200)
    for (const stream of streams) stream.close()
    for (const stream of await allowanceBack(cookies[0]!)) stream.close()
    for (let round = 0; openFilesOf(server.pid) > filesBefore + 5 && round < 50; round++) await new Promise((resolve) => setTimeout(resolve, 100))
    expect(openFilesOf(server.pid)).toBeLessThanOrEqual(filesBefore + 5)
  }, 240_000)
})

describe('a client that never reads its live stream', () => {
  let db: Db
  beforeAll(async () => {
    db = await openPglite()
    await migrate(db)
  }, 240_000)
  afterAll(async () => {
    await db?.close()
  })

  async function signUp(app: App, email: string): Promise<string> {
    const response = await app.request('/api/auth/signup', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: 'correct horse battery' }) })
    expect(response.status).toBe(201)
    return response.headers.getSetCookie()[0]!.split(';')[0]!
  }

  const push = (app: App, cookie: string, cartId: string) =>
    app.request('/api/sync/push', {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie },
      body: JSON.stringify({ clientId: 'laptop', commits: [{ stream: `Cart$${cartId}`, expectedVersion: -1, events: [itemAdded(cartId)] }] }),
    })

  async function readAll(response: Response): Promise<string> {
    let text = ''
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader()
    for (;;) {
      const { value, done } = await reader.read()
      if (done) return text
      text += value
    }
  }

  it('gets its heads coalesced: 30 pushes while it does not read are a few frames, the last one the latest head', async () => {
    const app = createApp({ db, live: { stallMs: 60_000 } })
    const cookie = await signUp(app, 'coalesced@example.com')
    const controller = new AbortController()
    const response = await app.request('/api/sync/live', { headers: { cookie }, signal: controller.signal })
    expect(response.status).toBe(200)
    for (let i = 0; i < 30; i++) expect((await push(app, cookie, `c${i}`)).status).toBe(200)
    // Now read: what waited is a handful of frames, not 30, ending with head 30.
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader()
    let text = ''
    while (!text.includes('"head":30}')) {
      const { value, done } = await reader.read()
      if (done) break
      text += value
    }
    const heads = [...text.matchAll(/data: \{"head":(\d+)\}/g)].map((match) => Number(match[1]))
    expect(heads.at(-1)).toBe(30)
    expect(heads.length).toBeLessThanOrEqual(5)
    await reader.cancel()
  }, 240_000)

  it('is dropped when a write waits longer than the stall limit, which frees its place', async () => {
    const app = createApp({ db, live: { perUser: 1, heartbeatMs: 20, stallMs: 300 } })
    const cookie = await signUp(app, 'stalled@example.com')
    const first = await app.request('/api/sync/live', { headers: { cookie } })
    expect(first.status).toBe(200)
    const second = await app.request('/api/sync/live', { headers: { cookie } })
    expect(second.status).toBe(429)
    expect(second.headers.get('retry-after')).toMatch(/^\d+$/)
    // Not reading: heartbeats fill what the stream holds, the next write waits, and after 300 ms
    // the server gives up on it. Until then the user's one place is taken.
    let again: Response
    for (let round = 0; ; round++) {
      again = await app.request('/api/sync/live', { headers: { cookie } })
      if (again.status === 200) break
      expect(again.status).toBe(429)
      if (round === 100) throw new Error('the stalled stream was never dropped')
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    // The dropped stream ends (whatever it held is read, then done) instead of hanging.
    expect(await readAll(first)).toMatch(/^retry: 2000\n\n/)
    await again.body!.cancel()
  }, 240_000)
})
