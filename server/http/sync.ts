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
/** How soon EventSource reconnects after losing the stream (the SSE `retry` field). */
export const RECONNECT_MS = 2_000

/** A header's value as a whole number, or undefined when it is absent or anything else. */
function wholeNumber(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value.trim())) return undefined
  const number = Number(value.trim())
  return Number.isSafeInteger(number) ? number : undefined
}

export function syncRoutes(db: Db): Hono<AppEnv> {
  const routes = new Hono<AppEnv>()
  routes.use('*', requireUser(db))

  routes.post('/push', async (c) => c.json(await push(db, c.var.user.id, await readJson(c, z.unknown())), 200))

  routes.get('/pull', async (c) => c.json(await pull(db, c.var.user.id, c.req.query()), 200))

  // `retry` first, so EventSource reconnects within 2 s. Then `event: head` whenever the head the
  // client holds differs from the user's: at once unless its Last-Event-ID is the current head,
  // then on every head NOTIFY (a push through any server process on this database), with a
  // comment line between. A NOTIFY only says "look again": the head is read from the database,
  // one read at a time, so a late notification never sends an older head after a newer one, and
  // a head that went down (the server's data was reset) is sent too. No replay: the client pulls
  // from its own cursor.
  routes.get('/live', (c) => {
    const userId = c.var.user.id
    const lastEventId = wholeNumber(c.req.header('last-event-id'))
    return streamSSE(c, async (stream) => {
      let wake: () => void = () => undefined
      let held = lastEventId
      let looking = Promise.resolve()
      let queued = false
      const lookAgain = () => {
        if (queued) return looking
        queued = true
        looking = looking
          .then(async () => {
            queued = false
            const head = await headOf(db, userId)
            if (head === held || stream.aborted || stream.closed) return
            held = head
            await stream.writeSSE({ event: 'head', id: String(head), data: JSON.stringify({ head }) })
          })
          .catch(() => wake()) // the client left, or the database is closing: end the loop
        return looking
      }
      await stream.write(`retry: ${RECONNECT_MS}\n\n`)
      const off = await db.listen(HEAD_CHANNEL, (payload) => {
        if (payload.slice(0, payload.indexOf(':')) === userId) void lookAgain()
      })
      stream.onAbort(() => wake())
      try {
        await lookAgain()
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
