// The sync server across a restart, on PGlite (a temp KIROKU_DATA_DIR) and on PostgreSQL: SIGTERM
// stops it cleanly within 10 s (PGlite's lock file released), and a new process on the same data
// keeps the session and the events. And PGlite's lock: a second process on the folder refuses.
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startPostgres, type PostgresCluster } from './support/postgres'
import { itemAdded, killAll, pullAll, pushEvent, signUp, startExpectingFailure, startServer, type ServerProcess, type Storage } from './support/serverProcess'

let cluster: PostgresCluster | undefined
let temp: string

beforeAll(async () => {
  temp = mkdtempSync(join(tmpdir(), 'kiroku-restart-'))
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

async function stopCleanly(server: ServerProcess): Promise<void> {
  const exit = await server.stop()
  expect(exit, server.output()).toMatchObject({ code: 0, signal: null })
  expect(exit.ms).toBeLessThan(10_000)
}

describe.each([
  { name: 'pglite', storage: (): Storage => ({ KIROKU_DATA_DIR: join(temp, 'pglite-db') }) },
  { name: 'postgres', storage: (): Storage => ({ DATABASE_URL: cluster!.url }) },
])('a server restart on $name', ({ name, storage }) => {
  it('keeps the session and the events, and stops within 10 s on SIGTERM', async () => {
    const first = await startServer(storage())
    const cookie = await signUp(first.base, `ann-${name}@example.com`)
    const event = itemAdded(`cart-${name}`)
    expect(await pushEvent(first.base, cookie, event)).toEqual({ status: 200, body: { results: [{ status: 'accepted', positions: [0], head: 1 }], head: 1 } })

    await stopCleanly(first)
    const where = storage()
    if ('KIROKU_DATA_DIR' in where) expect(existsSync(`${where.KIROKU_DATA_DIR}.lock`)).toBe(false)

    const second = await startServer(where)
    try {
      const me = await fetch(`${second.base}/api/auth/me`, { headers: { cookie } })
      expect(me.status).toBe(200)
      const pulled = await pullAll(second.base, cookie)
      expect(pulled.status).toBe(200)
      expect(pulled.body.head).toBe(1)
      expect(pulled.body.events).toHaveLength(1)
      expect(pulled.body.events[0]).toMatchObject({ position: 1, stream: `Cart$cart-${name}`, eventId: event.eventId, data: event.data })
    } finally {
      await stopCleanly(second)
    }
  }, 120_000)
})

describe("PGlite's lock file", () => {
  it('makes a second process on the same KIROKU_DATA_DIR refuse to start while the first runs', async () => {
    const dir = join(temp, 'locked-db')
    const first = await startServer({ KIROKU_DATA_DIR: dir })
    try {
      const second = await startExpectingFailure({ KIROKU_DATA_DIR: dir })
      expect(second.code, second.output).not.toBe(0)
      expect(second.code).not.toBeNull()
      expect(second.output).toContain(`lock file ${dir}.lock`)
      expect(second.output).toContain(`in use by process ${first.pid}`)
      // The refused process left the lock and the running server alone.
      expect(existsSync(`${dir}.lock`)).toBe(true)
      expect((await fetch(`${first.base}/api/health`)).status).toBe(200)
    } finally {
      await stopCleanly(first)
    }
    expect(existsSync(`${dir}.lock`)).toBe(false)
  }, 120_000)
})
