// A live stream lasts as long as its session (issue 24, item 6): a logout ends the streams of that
// session, on this server and on every other one on the same PostgreSQL (NOTIFY), an expired
// session ends at the next heartbeat, and reconnecting is then 401 `unauthenticated`. Streams of
// the user's other sessions go on. In process: the app over app.request, on both engines.
import { describe, expect, it } from 'vitest'
import type { Db } from '../../src/server/db/Db'
import { migrate } from './support/shopMigrate'
import { openPostgres } from '../../src/server/db/postgres'
import { createApp, type App } from './support/shopApp'
import { engines, postgresDatabase, track } from './support/engines'
import { itemAdded } from './support/serverProcess'

const PASSWORD = 'correct horse battery'

async function signUp(app: App, email: string): Promise<string> {
  const response = await app.request('/api/auth/signup', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }) })
  expect(response.status).toBe(201)
  return response.headers.getSetCookie()[0]!.split(';')[0]!
}

async function logIn(app: App, email: string): Promise<string> {
  const response = await app.request('/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }) })
  expect(response.status).toBe(200)
  return response.headers.getSetCookie()[0]!.split(';')[0]!
}

const logOut = async (app: App, cookie: string) => expect((await app.request('/api/auth/logout', { method: 'POST', headers: { cookie } })).status).toBe(204)

const push = (app: App, cookie: string, cartId: string) =>
  app.request('/api/sync/push', {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie },
    body: JSON.stringify({ clientId: 'laptop', commits: [{ stream: `Cart$${cartId}`, expectedVersion: -1, events: [itemAdded(cartId)] }] }),
  })

interface Live {
  status: number
  /** Reads until the text so far matches; rejects if the stream ends first. */
  until(pattern: RegExp): Promise<string>
  /** Reads to the end of the stream; resolves with all its text. */
  end(): Promise<string>
  cancel(): Promise<void>
}

async function openLive(app: App, cookie: string): Promise<Live> {
  const response = await app.request('/api/sync/live', { headers: { cookie } })
  if (response.status !== 200) return { status: response.status, until: () => Promise.reject(new Error('no stream')), end: () => response.text(), cancel: async () => undefined }
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader()
  let text = ''
  let done = false
  const more = async () => {
    const next = await reader.read()
    if (next.done) done = true
    else text += next.value
  }
  return {
    status: response.status,
    async until(pattern) {
      while (!pattern.test(text)) {
        if (done) throw new Error(`the stream ended before ${pattern}: ${text}`)
        await more()
      }
      return text
    },
    async end() {
      while (!done) await more()
      return text
    },
    cancel: () => reader.cancel(),
  }
}

describe.each(engines())('a live stream on $name', (engine) => {
  it("ends when its session logs out; the user's other session keeps its stream, and reconnecting with the old cookie is 401", async () => {
    const db = await engine.open()
    const app = createApp({ db })
    const laptop = await signUp(app, 'ann@example.com')
    const phone = await logIn(app, 'ann@example.com')
    const onLaptop = await openLive(app, laptop)
    const onPhone = await openLive(app, phone)
    expect([onLaptop.status, onPhone.status]).toEqual([200, 200])
    await onLaptop.until(/event: head\ndata: \{"head":0\}/)
    await onPhone.until(/event: head\ndata: \{"head":0\}/)

    await logOut(app, laptop)
    expect(await onLaptop.end()).toMatch(/^retry: 2000\n\n/)
    const again = await openLive(app, laptop)
    expect(again.status).toBe(401)
    expect(JSON.parse(await again.end())).toMatchObject({ error: { code: 'unauthenticated' } })

    // The phone's session is untouched: its stream still hears the next push.
    expect((await push(app, phone, 'c1')).status).toBe(200)
    await onPhone.until(/event: head\ndata: \{"head":1\}/)
    await onPhone.cancel()
  }, 60_000)

  it('ends at the next heartbeat once its session has expired', async () => {
    const db = await engine.open()
    const app = createApp({ db, live: { heartbeatMs: 50 } })
    const cookie = await signUp(app, 'bo@example.com')
    const live = await openLive(app, cookie)
    expect(live.status).toBe(200)
    // Heartbeats pass while the session is valid.
    await live.until(/: keep-alive\n\n: keep-alive\n\n/)
    await db.query("UPDATE sessions SET expires_at = now() - interval '1 minute'")
    expect(await live.end()).toMatch(/: keep-alive/)
    expect((await openLive(app, cookie)).status).toBe(401)
  }, 60_000)

  it('ends when the head cannot be read, so the client reconnects instead of hearing nothing', async () => {
    const db = await engine.open()
    let failHeads = false
    // The same database, but its head reads fail once asked to (a database going away).
    const failing: Db = {
      storage: db.storage,
      query: (sql, params) => (failHeads && sql.includes('SELECT head FROM partitions') ? Promise.reject(new Error('connection lost')) : db.query(sql, params)),
      transaction: (fn) => db.transaction(fn),
      listen: (channel, listener) => db.listen(channel, listener),
      notify: (channel, payload) => db.notify(channel, payload),
      close: () => db.close(),
    }
    const app = createApp({ db: failing, live: { heartbeatMs: 60_000 } })
    const cookie = await signUp(app, 'cy@example.com')
    const live = await openLive(app, cookie)
    await live.until(/event: head/)
    failHeads = true
    expect((await push(app, cookie, 'c-lost')).status).toBe(200)
    // Without the end, the loop woke once, wrote a keep-alive and waited for the next heartbeat.
    expect(await live.end()).not.toMatch(/id: 1\n/)
  }, 60_000)
})

describe('two server processes on one PostgreSQL (two Db handles, each with its own LISTEN connection)', () => {
  // engines() started this file's cluster; its postgres entry is not needed here.
  it("a logout through one ends the session's live stream on the other", async () => {
    const url = await postgresDatabase()
    const [one, two]: Db[] = await Promise.all([openPostgres(url).then(track), openPostgres(url).then(track)])
    await migrate(one!)
    const [first, second] = [createApp({ db: one! }), createApp({ db: two! })]
    const cookie = await signUp(first, 'cy@example.com')
    const live = await openLive(second, cookie)
    expect(live.status).toBe(200)
    await live.until(/event: head\ndata: \{"head":0\}/)
    await logOut(first, cookie)
    expect(await live.end()).toMatch(/^retry: 2000\n\n/)
    expect((await openLive(second, cookie)).status).toBe(401)
  }, 60_000)
})
