// The wire protocol's errors, made in one place: every refusal the server answers with is a
// ProtocolError, sent as `{ "error": { "code", "message" } }` with its HTTP status
// (docs: DESIGN.md "Sync: beyond one browser").

/** Every error code of the protocol, with its HTTP status. */
export const ERROR_STATUS = {
  invalid: 400,
  unauthenticated: 401,
  bad_credentials: 401,
  forbidden: 403,
  bad_origin: 403,
  not_found: 404,
  email_taken: 409,
  last_owner: 409,
  too_large: 413,
  rate_limited: 429,
  internal: 500,
} as const

export type ErrorCode = keyof typeof ERROR_STATUS
export type ErrorStatus = (typeof ERROR_STATUS)[ErrorCode]

export class ProtocolError extends Error {
  override readonly name = 'ProtocolError'
  constructor(
    readonly code: ErrorCode,
    readonly status: ErrorStatus,
    message: string,
    /** For `rate_limited`: whole seconds until the client may try again (the `Retry-After` header). */
    readonly retryAfter?: number,
  ) {
    super(message)
  }

  /** The JSON body the server answers with. */
  toJSON(): { error: { code: ErrorCode; message: string } } {
    return { error: { code: this.code, message: this.message } }
  }
}

const DEFAULT_MESSAGE: Record<ErrorCode, string> = {
  invalid: 'The request is not valid.',
  unauthenticated: 'Sign in first.',
  bad_credentials: 'Wrong email or password.',
  forbidden: 'Not yours.',
  bad_origin: 'The request comes from another origin.',
  not_found: 'Not found.',
  email_taken: 'An account with this email exists already.',
  last_owner: 'A space keeps at least one owner: make another member an owner first.',
  too_large: 'The request body is too large.',
  rate_limited: 'Too many attempts: wait a minute.',
  internal: 'Something went wrong on the server.',
}

/** Makes the protocol error `code`, with its status and a default message. */
export function protocolError(code: ErrorCode, message = DEFAULT_MESSAGE[code]): ProtocolError {
  return new ProtocolError(code, ERROR_STATUS[code], message)
}

/** 429 `rate_limited`, answered with `Retry-After: <seconds>` (at least 1). */
export function rateLimited(retryAfterSeconds: number, message = DEFAULT_MESSAGE.rate_limited): ProtocolError {
  return new ProtocolError('rate_limited', ERROR_STATUS.rate_limited, message, Math.max(1, Math.ceil(retryAfterSeconds)))
}
