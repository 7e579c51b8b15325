// Why a call to the sync server failed, as classes the engine and the UI tell apart.

/** The server answered with the protocol's error: its HTTP status and code. */
export class SyncServerError extends Error {
  override name = 'SyncServerError'
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** How long the server asked to wait before the next try (its `Retry-After`), when it said. */
    readonly retryAfterMs?: number,
  ) {
    super(message)
  }
}

/** 401 `unauthenticated`: no session, or it expired. Local work waits for the next sign-in. */
export class SyncUnauthenticatedError extends SyncServerError {
  override name = 'SyncUnauthenticatedError'
  constructor(message = 'Not signed in: sign in again to sync.') {
    super(401, 'unauthenticated', message)
  }
}

/** The server could not be reached (no network, the server down, a proxy's error page). */
export class SyncUnreachableError extends Error {
  override name = 'SyncUnreachableError'
  constructor(message = 'The sync server cannot be reached.', options?: { cause?: unknown }) {
    super(message, options)
  }
}

/**
 * The request could not be made at all: the server's address is not a URL fetch can call, say.
 * A fault of the app's settings, not of the network: the engine shows it as a problem.
 */
export class SyncRequestError extends Error {
  override name = 'SyncRequestError'
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
  }
}

// What fetch rejects with when no answer came (the Fetch standard's network error is a TypeError)
// and what an AbortSignal gives (a timeout, an abort). Names, not classes: DOMException is not
// everywhere one class (fake-indexeddb, jsdom, Node's own).
const NO_ANSWER = new Set(['AbortError', 'TimeoutError', 'NetworkError'])

/**
 * Whether a transport's rejection means the server was not reached (no answer came): a
 * SyncUnreachableError, a TypeError (what fetch rejects with when the network fails: "Failed to
 * fetch", "fetch failed", "NetworkError when attempting to fetch resource.", "Load failed"), or an
 * AbortError, TimeoutError or NetworkError. The engine then says `offline` or `unreachable` by the
 * browser's online state, and tries again; anything else a transport rejects with is a problem.
 */
export function isNetworkFailure(error: unknown): boolean {
  if (error instanceof SyncUnreachableError || error instanceof TypeError) return true
  const name = (error as { name?: unknown } | null)?.name
  return typeof name === 'string' && NO_ANSWER.has(name)
}

/** A network failure in words, with what it says of its cause ("fetch failed (connect ECONNREFUSED 127.0.0.1:9)"). */
export function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  const cause = error.cause as { message?: unknown; code?: unknown } | undefined
  const detail = cause instanceof Object ? (typeof cause.message === 'string' && cause.message) || (typeof cause.code === 'string' && cause.code) : ''
  return detail && !error.message.includes(detail) ? `${error.message} (${detail})` : error.message
}
