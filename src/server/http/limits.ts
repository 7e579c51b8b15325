// What one request may make the server hold, beyond its body: how many push and pull requests one
// account has under way at once (each holds up to a page or a body until its answer is taken),
// and how a refused body's connection ends.
import type { HttpBindings } from '@hono/node-server'
import type { Context, MiddlewareHandler } from 'hono'
import type { Socket } from 'node:net'
import { rateLimited } from '../protocol'
import type { StorageLimits } from '../sync/storable'
import type { AppEnv } from './session'
import type { ByteBudget } from './byteBudget'

/** Push and pull requests one account may have under way at once on one server process. */
export const REQUESTS_PER_ACCOUNT = 4
/** An answer the client has not taken within this long ends its connection (and frees its place). */
export const ANSWER_STALL_MS = 60_000
/** How long a refused body's connection stays open after the answer, for the client to read it and go. */
export const LINGER_MS = 2_000

/** The sync routes' limits (createApp's `syncLimits`); each has its default. */
export interface SyncLimits extends Partial<StorageLimits> {
  /** Bytes of events in one pull page (default 1 MiB). */
  pageBytes?: number
  /** Push and pull requests of one account under way at once, on this process (default 4). */
  requestsPerAccount?: number
  /** An answer not taken within this long drops its connection (default 60 s). */
  answerStallMs?: number
  /** Each account's budget of bytes served while others are served too (./byteBudget); false: none. */
  byteBudget?: ByteBudget | false
}

const outgoingOf = (c: Context) => (c.env as Partial<HttpBindings> | undefined)?.outgoing

/**
 * At most `requestsPerAccount` push and pull requests of one account at once; past it 429
 * `rate_limited` with `Retry-After: 1`. A request holds its place until its answer has been
 * handed to the socket (or the connection is gone): a client that does not read keeps only its
 * own places, and loses the connection after `answerStallMs`. Behind `requireUser`.
 */
export function accountRequests({ requestsPerAccount = REQUESTS_PER_ACCOUNT, answerStallMs = ANSWER_STALL_MS }: SyncLimits = {}): MiddlewareHandler<AppEnv> {
  const underWay = new Map<string, number>()
  return async (c, next) => {
    const userId = c.var.user.id
    const held = underWay.get(userId) ?? 0
    if (held >= requestsPerAccount) throw rateLimited(1, `At most ${requestsPerAccount} push and pull requests of one account at once: wait for one to finish.`)
    underWay.set(userId, held + 1)
    let released = false
    const release = () => {
      if (released) return
      released = true
      const left = (underWay.get(userId) ?? 1) - 1
      if (left > 0) underWay.set(userId, left)
      else underWay.delete(userId)
    }
    try {
      await next()
    } catch (error) {
      release()
      throw error
    }
    const outgoing = outgoingOf(c)
    // Without a socket (app.request in tests) the answer is made: nothing is held past here.
    if (outgoing === undefined || outgoing.closed || outgoing.destroyed) return release()
    const stalled = setTimeout(() => outgoing.destroy(), answerStallMs)
    stalled.unref()
    // 'close' comes once the answer is handed over, or when the connection is gone before.
    outgoing.once('close', () => {
      clearTimeout(stalled)
      release()
    })
  }
}

const lingering = new WeakSet<Socket>()

/**
 * Answers with `Connection: close`, so the client sends its next request on a new connection, and
 * closes in two steps (RFC 9112, 9.6): the server's side once the answer is sent, the socket once
 * the client has gone too, or after `LINGER_MS`. Closed at once, a socket that still holds body
 * bytes the server never read makes the kernel reset the connection, and a client that has not
 * read the answer yet may lose it.
 */
export function closeAfterAnswer(c: Context): void {
  c.header('Connection', 'close')
  const socket = (c.env as Partial<HttpBindings> | undefined)?.incoming?.socket
  if (socket === undefined || lingering.has(socket)) return
  lingering.add(socket)
  // Node's server calls destroySoon once an answer that says `close` is sent (as does
  // @hono/node-server when its drain of an unread body gives up): both wait for the client.
  let closing = false
  socket.destroySoon = () => {
    if (closing) return
    closing = true
    const close = () => {
      clearTimeout(timer)
      socket.destroy()
    }
    const timer = setTimeout(close, LINGER_MS)
    timer.unref()
    socket.once('end', close)
    socket.once('error', close)
    socket.once('close', () => clearTimeout(timer))
    socket.end()
  }
}
