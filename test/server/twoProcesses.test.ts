// Two sync server processes on one real PostgreSQL database: a session made through one works on
// the other (sessions live in the database), and a push through one reaches the other's live
// stream (NOTIFY) and its pull.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startPostgres, type PostgresCluster } from './support/postgres'
import { itemAdded, killAll, openLive, pullAll, pushEvent, signUp, startServer, type ServerProcess } from './support/serverProcess'

let cluster: PostgresCluster | undefined
let one: ServerProcess
let two: ServerProcess

beforeAll(async () => {
  cluster = await startPostgres()
  // Both start at once on the fresh database: their migrations meet at the advisory lock.
  ;[one, two] = await Promise.all([startServer({ DATABASE_URL: cluster.url }), startServer({ DATABASE_URL: cluster.url })])
}, 120_000)

afterAll(async () => {
  try {
    const exits = await Promise.all([one, two].filter(Boolean).map((server) => server.stop()))
    for (const exit of exits) expect(exit.code).toBe(0)
  } finally {
    await killAll()
    await cluster?.stop()
  }
}, 60_000)

describe('two server processes on one PostgreSQL', () => {
  it("hears a push through process 1 on process 2's live stream, and pulls it through process 2", async () => {
    expect(one.base).not.toBe(two.base)
    const cookie = await signUp(one.base, 'ann@example.com')

    const me = await fetch(`${two.base}/api/auth/me`, { headers: { cookie } })
    expect(me.status).toBe(200)

    const live = await openLive(two.base, cookie)
    try {
      expect(live.status).toBe(200)
      await live.until(/event: head\ndata: \{"head":0\}\nid: 0\n/)

      const event = itemAdded('cart-ann')
      const pushed = await pushEvent(one.base, cookie, event)
      expect(pushed).toEqual({ status: 200, body: { results: [{ status: 'accepted', positions: [0], head: 1 }], head: 1 } })

      await live.until(/event: head\ndata: \{"head":1\}\nid: 1\n/)

      const pulled = await pullAll(two.base, cookie)
      expect(pulled.status).toBe(200)
      expect(pulled.body.head).toBe(1)
      expect(pulled.body.events).toHaveLength(1)
      expect(pulled.body.events[0]).toMatchObject({ position: 1, stream: 'Cart$cart-ann', eventId: event.eventId, type: 'Cart.ItemAdded', data: event.data })
    } finally {
      live.close()
    }
  }, 60_000)
})
