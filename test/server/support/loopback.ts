// The real HTTP app on @hono/node-server, bound to 127.0.0.1 on a free port, over in-memory PGlite:
// started in a test file's beforeAll, closed (server, then database) in its afterAll.
import { serve, type ServerType } from '@hono/node-server'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, expect } from 'vitest'
import type { Db } from '../../../src/server/db/Db'
import { migrate } from './shopMigrate'
import { openPglite } from '../../../src/server/db/pglite'
import { createApp, type AppOptions } from './shopApp'

export interface Loopback {
  /** `http://127.0.0.1:<port>`, once beforeAll has run. */
  readonly base: string
  readonly db: Db
}

/**
 * Registers the file's beforeAll/afterAll. `options` get the fresh, migrated database; `started`
 * runs once it is open (e.g. to start a projection runner) and may return what to stop first.
 */
export function loopbackServer(
  options: Omit<AppOptions, 'db' | 'rules'> & Partial<Pick<AppOptions, 'rules'>> = {},
  started?: (db: Db) => { stop(): Promise<void> } | void,
): Loopback {
  let server: ServerType | undefined
  let running: { stop(): Promise<void> } | void
  const state = { base: '', db: undefined as unknown as Db }
  beforeAll(async () => {
    state.db = await openPglite()
    await migrate(state.db)
    running = started?.(state.db)
    const app = createApp({ ...options, db: state.db })
    state.base = await new Promise<string>((resolve) => {
      server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) => resolve(`http://127.0.0.1:${info.port}`))
    })
    expect((server!.address() as AddressInfo).address).toBe('127.0.0.1')
  }, 60_000)
  afterAll(async () => {
    if (server) await new Promise<void>((resolve) => server!.close(() => resolve()))
    await running?.stop()
    await state.db?.close()
  })
  return {
    get base() {
      return state.base
    },
    get db() {
      return state.db
    },
  }
}

/** Signs a new user up; resolves with the `kiroku_session=…` cookie to send back. */
export async function signUp(base: string, email: string, password = 'correct horse battery'): Promise<string> {
  const response = await fetch(`${base}/api/auth/signup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) })
  expect(response.status).toBe(201)
  return response.headers.getSetCookie().find((c) => c.startsWith('kiroku_session='))!.split(';')[0]!
}
