// /api/sync: push, pull and live, for the signed-in user only. Thin: the use cases are in server/sync.
import { Hono } from 'hono'
import { streamSSE } from 'hono/streaming'
import { z } from 'zod'
import type { Db } from '../db/Db'
import { HEAD_CHANNEL, headOf, pull, push } from '../sync'
import { readJson } from './json'
import { requireUser, type AppEnv } from './session'

/** How often a live stream sends a comment line, so proxies and browsers keep it open. */
export const HEARTBEAT_MS = 25_000

export function syncRoutes(db: Db): Hono<AppEnv> {
  const routes = new Hono<AppEnv>()
  routes.use('*', requireUser(db))

  routes.post('/push', async (c) => c.json(await push(db, c.var.user.id, await readJson(c, z.unknown())), 200))

  routes.get('/pull', async (c) => c.json(await pull(db, c.var.user.id, c.req.query()), 200))

  // `event: head` at once and whenever the user's head moves (a push through any server process
  // on this database: NOTIFY carries it), a comment line between. Last-Event-ID needs no replay
  // here: the current head is sent at once, and the client pulls from its own cursor.
  routes.get('/live', (c) => {
    const userId = c.var.user.id
    return streamSSE(c, async (stream) => {
      let last = -1
      const send = async (head: number) => {
        if (head <= last) return
        last = head
        await stream.writeSSE({ event: 'head', id: String(head), data: JSON.stringify({ head }) })
      }
      let wake: () => void = () => undefined
      const off = await db.listen(HEAD_CHANNEL, (payload) => {
        const [user, head] = payload.split(':')
        if (user === userId) void send(Number(head)).catch(() => wake())
      })
      stream.onAbort(() => wake())
      try {
        await send(await headOf(db, userId))
        while (!stream.aborted && !stream.closed) {
          await new Promise<void>((resolve) => {
            wake = resolve
            setTimeout(resolve, HEARTBEAT_MS).unref?.()
          })
          if (!stream.aborted && !stream.closed) await stream.write(': keep-alive\n\n')
        }
      } finally {
        // The database may be closing with the server: nothing left to stop listening to.
        await off().catch(() => undefined)
      }
    })
  })
  return routes
}
