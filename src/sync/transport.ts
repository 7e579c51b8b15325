// How the engine reaches the server: the protocol's calls over fetch. Swappable, so tests can
// call a server in-process (Hono's app.request) and fail the network on demand.
import { describeFailure, isNetworkFailure, SyncRequestError, SyncServerError, SyncUnauthenticatedError, SyncUnreachableError } from './errors'
import type { PullAnswer, PushAnswer, PushBody, SpaceSummary } from './protocol'

/**
 * The protocol's two sync calls. Each resolves with the server's answer or rejects with what
 * tells the engine what happened:
 * - SyncUnreachableError, a TypeError (what fetch rejects with when the network fails), or an
 *   AbortError, TimeoutError or NetworkError: no answer came. The status says `offline` when the
 *   browser says it is offline, else `unreachable`, with no problem; the engine tries again after
 *   its back-off. Nothing is known to have reached the server (if it did, the retry is a duplicate).
 * - SyncUnauthenticatedError: the session ended (`signed-out`); the engine waits for `syncNow()`.
 * - SyncServerError: the server answered with the protocol's error; a problem with its code, tried
 *   again after the back-off.
 * - Anything else: a problem with the error's name and message, tried again after the back-off.
 */
export interface SyncTransport {
  push(body: PushBody): Promise<PushAnswer>
  /** A page of the personal space's events after `after`, or of the shared space `space` names. */
  pull(after: number, limit: number, space?: string): Promise<PullAnswer>
  /** The user's spaces (`GET /api/spaces`); without it, the engine syncs the personal space only. */
  spaces?(): Promise<SpaceSummary[]>
}

export type Fetch = (input: string, init?: RequestInit) => Promise<Response>

export interface HttpTransportOptions {
  /** Where `/api` lives: the page's origin by default. */
  baseUrl?: string
  fetch?: Fetch
  /** How long one call may take before it counts as unanswered (the server not reached), in ms: 60 s by default. */
  timeoutMs?: number
}

const DEFAULT_TIMEOUT_MS = 60_000

/**
 * The protocol over HTTP, with the session cookie. It keeps the transport's contract (see
 * SyncTransport): no answer (fetch's TypeError, a timeout, an answer cut off or not the
 * protocol's) rejects with SyncUnreachableError, the protocol's errors with SyncServerError or
 * SyncUnauthenticatedError, and a request that cannot be made with SyncRequestError.
 */
export function httpTransport(options: HttpTransportOptions = {}): SyncTransport {
  const call = apiCaller(options)
  return {
    push: (body) => call<PushAnswer>('/api/sync/push', { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    spaces: async () => (await call<{ spaces: SpaceSummary[] }>('/api/spaces')).spaces,
    pull: (after, limit, space) => call<PullAnswer>(`/api/sync/pull?after=${after}&limit=${limit}${space === undefined ? '' : `&space=${encodeURIComponent(space)}`}`),
  }
}

/** One JSON call to the server: the parsed body of a 2xx answer, else a typed error (as httpTransport's). */
export function apiCaller(options: HttpTransportOptions = {}) {
  const base = (options.baseUrl ?? globalThis.location?.origin ?? '').replace(/\/$/, '')
  const fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init))
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  return async <T>(path: string, init: RequestInit = {}): Promise<T> => {
    const url = `${base}${path}`
    // fetch rejects a URL it cannot call with a TypeError, as it does when the network fails: told
    // apart here, it is a problem to fix rather than a server to wait for.
    if (options.fetch === undefined) checkUrl(url)
    let response: Response
    try {
      response = await fetch(url, { credentials: 'same-origin', cache: 'no-store', signal: AbortSignal.timeout(timeoutMs), ...init })
    } catch (error) {
      throw isNetworkFailure(error) ? unanswered(error, timeoutMs) : error
    }
    if (response.status === 204) return undefined as T
    let text: string
    try {
      text = await response.text()
    } catch (error) {
      throw unanswered(error, timeoutMs, 'its answer was cut off')
    }
    let body: unknown
    try {
      body = text ? JSON.parse(text) : undefined
    } catch {
      body = undefined
    }
    if (response.ok && body !== undefined) return body as T
    const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error
    // Not the protocol's answer (a gateway's error page, a server starting): as if unreachable.
    if (typeof error?.code !== 'string') throw new SyncUnreachableError(`The sync server answered ${response.status} without the protocol's error.`)
    const message = typeof error.message === 'string' ? error.message : error.code
    if (response.status === 401 && error.code === 'unauthenticated') throw new SyncUnauthenticatedError(message)
    throw new SyncServerError(response.status, error.code, message, retryAfterMs(response.headers.get('retry-after')))
  }
}

/** A `Retry-After` of whole seconds, in milliseconds; undefined when absent or not seconds. */
function retryAfterMs(header: string | null): number | undefined {
  if (header === null || !/^\d{1,6}$/.test(header.trim())) return undefined
  return Number(header.trim()) * 1000
}

/** SyncRequestError for a URL that fetch would refuse: not a URL, not http(s), or with credentials in it. */
function checkUrl(url: string): void {
  let parsed: URL
  try {
    parsed = new URL(url, globalThis.location?.href)
  } catch (error) {
    throw new SyncRequestError(`The sync server's address is not a URL: ${JSON.stringify(url)}. Give httpTransport a baseUrl such as "https://shop.example".`, { cause: error })
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new SyncRequestError(`The sync server's address ${JSON.stringify(url)} is not http or https.`)
  if (parsed.username || parsed.password) throw new SyncRequestError(`The sync server's address ${JSON.stringify(parsed.host + parsed.pathname)} holds a user name or password, which fetch refuses.`)
}

function unanswered(error: unknown, timeoutMs: number, what = ''): SyncUnreachableError {
  const name = (error as { name?: unknown } | null)?.name
  const words =
    name === 'TimeoutError'
      ? `The sync server did not answer within ${timeoutMs / 1000} s.`
      : `The sync server cannot be reached${what ? ` (${what})` : ''}: ${describeFailure(error)}.`
  return new SyncUnreachableError(words.replace(/\.\.$/, '.'), { cause: error })
}
