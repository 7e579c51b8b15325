// Why a call to the sync server failed, as classes the engine and the UI tell apart.

/** The server answered with the protocol's error: its HTTP status and code. */
export class SyncServerError extends Error {
  override name = 'SyncServerError'
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
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
