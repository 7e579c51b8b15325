// How the engine reaches the server: the protocol's calls over fetch. Swappable, so tests can
// call a server in-process (Hono's app.request) and fail the network on demand.
import { SyncServerError, SyncUnauthenticatedError, SyncUnreachableError } from './errors'
import type { PullAnswer, PushAnswer, PushBody } from './protocol'

export interface SyncTransport {
  push(body: PushBody): Promise<PushAnswer>
  pull(after: number, limit: number): Promise<PullAnswer>
}

export type Fetch = (input: string, init?: RequestInit) => Promise<Response>

export interface HttpTransportOptions {
  /** Where `/api` lives: the page's origin by default. */
  baseUrl?: string
  fetch?: Fetch
}

/** The protocol over HTTP, with the session cookie; failures become SyncServerError, SyncUnauthenticatedError or SyncUnreachableError. */
export function httpTransport(options: HttpTransportOptions = {}): SyncTransport {
  const call = apiCaller(options)
  return {
    push: (body) => call<PushAnswer>('/api/sync/push', { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    pull: (after, limit) => call<PullAnswer>(`/api/sync/pull?after=${after}&limit=${limit}`),
  }
}

/** One JSON call to the server: the parsed body of a 2xx answer, else a typed error. */
export function apiCaller(options: HttpTransportOptions = {}) {
  const base = (options.baseUrl ?? globalThis.location?.origin ?? '').replace(/\/$/, '')
  const fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init))
  return async <T>(path: string, init: RequestInit = {}): Promise<T> => {
    let response: Response
    try {
      response = await fetch(`${base}${path}`, { credentials: 'same-origin', cache: 'no-store', ...init })
    } catch (error) {
      throw new SyncUnreachableError(undefined, { cause: error })
    }
    if (response.status === 204) return undefined as T
    const text = await response.text().catch(() => '')
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
    throw new SyncServerError(response.status, error.code, message)
  }
}
