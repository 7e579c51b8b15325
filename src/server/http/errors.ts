// How the HTTP layer answers with the protocol's errors (made in src/server/protocol.ts).
import type { Context } from 'hono'
import { protocolError, ProtocolError, type ErrorCode } from '../protocol'

export { ProtocolError, protocolError }

export function errorResponse(c: Context, error: ProtocolError): Response {
  if (error.retryAfter !== undefined) c.header('Retry-After', String(error.retryAfter))
  return c.json(error.toJSON(), error.status)
}

export function answer(c: Context, code: ErrorCode, message?: string): Response {
  return errorResponse(c, protocolError(code, message))
}
