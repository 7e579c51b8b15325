// /api/sync: push, pull and live, for the signed-in user only. Thin: the use cases are in src/server/sync.
import type { HttpBindings } from '@hono/node-server'
import { Hono, type MiddlewareHandler } from 'hono'
import { streamSSE } from 'hono/streaming'
import { z } from 'zod'
import type { Db } from '../db/Db'
import { rateLimited } from '../protocol'
import { sharedSpacesOf, spacesOf, SPACES_CHANNEL } from '../spaces'
import { HEAD_CHANNEL, headOf, pull, push, type Rules } from '../sync'
import { byteBudget, chargeBytes } from './byteBudget'
import { requireAccount, type Identity } from './identity'
import { readJson } from './json'
import { accountRequests, type SyncLimits } from './limits'
import { SESSION_ENDED_CHANNEL, type AppEnv } from './session'

/** How often a live stream sends a comment line, so proxies and browsers keep it open. */
export const HEARTBEAT_MS = 25_000
/** How soon EventSource reconnects after losing the stream (the SSE `retry` field). */
export const RECONNECT_MS = 2_000
/** Live streams one user may hold open on one server process at once; past it 429 `rate_limited`. */
export const LIVE_PER_USER = 20
/** A write to a live stream that the client has not taken within this long ends the stream. */
export const LIVE_STALL_MS = 60_000
/** The Retry-After of a refused live stream: about when a stream the user left is noticed as gone. */
const LIVE_RETRY_AFTER_S = 30

export interface LiveOptions {
  /** Live streams one user may hold open on this server process at once (default 20). */
  perUser?: number
  /** Between comment lines (default 25 s). */
  heartbeatMs?: number
  /** A write not taken by the client within this long drops the connection (default 60 s). */
  stallMs?: number
}

/** A header's value as a whole number, or undefined when it is absent or anything else. */
function wholeNumber(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value.trim())) return undefined
  const number = Number(value.trim())
  return Number.isSafeInteger(number) ? number : undefined
}

export interface SyncRouteOptions {
  identity: Identity
  rules: Rules
  live?: LiveOptions
  limits?: SyncLimits
}

export function syncRoutes(db: Db, { identity, rules, live: options = {}, limits = {} }: SyncRouteOptions): Hono<AppEnv> {
  const perUser = options.perUser ?? LIVE_PER_USER
  const heartbeatMs = options.heartbeatMs ?? HEARTBEAT_MS
  const stallMs = options.stallMs ?? LIVE_STALL_MS
  /** Open live streams per partition, on this process. */
  const open = new Map<string, number>()
  const routes = new Hono<AppEnv>()
  routes.use('*', requireAccount(identity))

  // Push and pull: a few of one account's at once (./limits), each within the sync limits, and
  // no more than its rate of bytes while others are served (./byteBudget).
  const oneAccount = accountRequests(limits)
  const budget: MiddlewareHandler<AppEnv> = limits.byteBudget === false ? (_c, next) => next() : byteBudget(limits.byteBudget)
  routes.post('/push', oneAccount, budget, async (c) => c.json(await push(db, c.var.account, await readJson(c, z.unknown()), { rules, limits }), 200))

  routes.get('/pull', oneAccount, budget, async (c) => {
    const text = JSON.stringify(await pull(db, c.var.account, c.req.query(), limits))
    chargeBytes(c, Buffer.byteLength(text))
    return c.body(text, 200, { 'Content-Type': 'application/json' })
  })

  // `retry` first, so EventSource reconnects within 2 s. Then `event: head` whenever the head the
  // client holds differs from the user's: at once unless its Last-Event-ID is the current head,
  // then on every head NOTIFY (a push through any server process on this database), with a
  // comment line between. A NOTIFY only says "look again": the head is read from the database,
  // one read at a time, so a late notification never sends an older head after a newer one, and
  // a head that went down (the server's data was reset) is sent too. No replay: the client pulls
  // from its own cursor.
  //
  // A client that does not read: one write at a time, and while it waits every NOTIFY collapses
  // into one look at the head, so the server holds at most one frame for it; a write it has not
  // taken within `stallMs` drops the connection. A user holds at most `perUser` streams here.
  //
  // A stream lasts as long as its session: it ends when the session is gone, looked for at every
  // heartbeat (so also when it expired) and on every NOTIFY of an ended session of its user (a
  // logout through any server process on this database). EventSource then reconnects and gets
  // the 401 that tells the client it is signed out.
  //
  // Spaces: `event: space` with `{ space, head }` for each shared space the user is a member of,
  // once at the start and whenever its head moves; `event: spaces` with the user's space list
  // whenever their memberships change (a NOTIFY on SPACES_CHANNEL naming them), after which the
  // heads of the spaces they are now in follow.
  routes.get('/live', (c) => {
    const account = c.var.account
    const userId = account.partition
    const streams = open.get(userId) ?? 0
    if (streams >= perUser) throw rateLimited(LIVE_RETRY_AFTER_S, `At most ${perUser} live connections per account: close one, or try again later.`)
    open.set(userId, streams + 1)
    const lastEventId = wholeNumber(c.req.header('last-event-id'))
    const socket = (c.env as Partial<HttpBindings> | undefined)?.outgoing
    return streamSSE(c, async (stream) => {
      let wake: () => void = () => undefined
      let held = lastEventId
      let looking = Promise.resolve()
      let signedOut = false
      /** A head could not be read or sent: the stream ends, and EventSource reconnects. */
      let ended = false
      /** Ends the loop when the stream's session is gone; a database that does not answer ends nothing. */
      const checkSession = async () => {
        if ((await identity.stillSignedIn(c, account)) !== false) return
        signedOut = true
        wake()
      }
      const drop = () => {
        socket?.destroy()
        stream.abort()
        wake()
      }
      /** Writes `text`, or drops the connection when the client has not taken it within `stallMs`. */
      const write = async (text: string) => {
        let timer: NodeJS.Timeout | undefined
        const stalled = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), stallMs)))
        const late = await Promise.race([stream.write(text).then(() => false), stalled])
        clearTimeout(timer)
        if (late) drop()
      }
      /** One look at a time, in order; while one waits, more asks of the same kind collapse into it. */
      const waiting = new Set<string>()
      const inTurn = (kind: string, look: () => Promise<void>) => {
        if (waiting.has(kind)) return looking
        waiting.add(kind)
        looking = looking
          .then(async () => {
            waiting.delete(kind)
            if (stream.aborted || stream.closed) return
            await look()
          })
          .catch(() => {
            // The client left, or the database is closing: end the loop (the client reconnects).
            ended = true
            wake()
          })
        return looking
      }
      const lookAgain = () =>
        inTurn('head', async () => {
          const head = await headOf(db, userId)
          if (head === held) return
          held = head
          await write(`event: head\ndata: ${JSON.stringify({ head })}\nid: ${head}\n\n`)
        })
      // The shared spaces the user is a member of, by partition, and the head each was last told at.
      let shared = new Map<string, string>()
      const heldSpaces = new Map<string, number>()
      const lookAtSpace = (partition: string) =>
        inTurn(`space ${partition}`, async () => {
          const space = shared.get(partition)
          if (space === undefined) return
          const head = await headOf(db, partition)
          if (heldSpaces.get(partition) === head) return
          heldSpaces.set(partition, head)
          await write(`event: space\ndata: ${JSON.stringify({ space, head })}\n\n`)
        })
      const lookAtSpaces = (tell: boolean) =>
        inTurn('spaces', async () => {
          shared = await sharedSpacesOf(db, userId)
          for (const partition of heldSpaces.keys()) if (!shared.has(partition)) heldSpaces.delete(partition)
          if (tell) await write(`event: spaces\ndata: ${JSON.stringify({ spaces: await spacesOf(db, userId) })}\n\n`)
          for (const partition of shared.keys()) void lookAtSpace(partition)
        })
      let off: () => Promise<void> = async () => undefined
      let offSession: () => Promise<void> = async () => undefined
      let offSpaces: () => Promise<void> = async () => undefined
      const going = () => !signedOut && !ended && !stream.aborted && !stream.closed
      try {
        await write(`retry: ${RECONNECT_MS}\n\n`)
        off = await db.listen(HEAD_CHANNEL, (payload) => {
          const partition = payload.slice(0, payload.indexOf(':'))
          if (partition === userId) void lookAgain()
          else if (shared.has(partition)) void lookAtSpace(partition)
        })
        offSpaces = await db.listen(SPACES_CHANNEL, (payload) => {
          if (payload === userId) void lookAtSpaces(true)
        })
        offSession = await db.listen(SESSION_ENDED_CHANNEL, (payload) => {
          if (payload === userId) void checkSession()
        })
        stream.onAbort(() => wake())
        // A logout between the sign-in check and the LISTEN above sent a NOTIFY nobody heard.
        await checkSession()
        if (going()) await lookAgain()
        // Each shared space's head once at the start, then whenever it moves.
        if (going()) await lookAtSpaces(false)
        while (going()) {
          const beat = await new Promise<boolean>((resolve) => {
            wake = () => resolve(false)
            setTimeout(() => resolve(true), heartbeatMs).unref?.()
          })
          if (beat && going()) await checkSession()
          if (going()) await write(': keep-alive\n\n')
        }
      } finally {
        const left = (open.get(userId) ?? 1) - 1
        if (left > 0) open.set(userId, left)
        else open.delete(userId)
        // The database may be closing with the server: nothing left to stop listening to.
        await off().catch(() => undefined)
        await offSession().catch(() => undefined)
        await offSpaces().catch(() => undefined)
      }
    })
  })
  return routes
}
