// Request bodies: JSON only, validated with a zod schema; anything else is 400 `invalid`.
import type { Context } from 'hono'
import type { z } from 'zod'
import { protocolError } from '../protocol'
import { chargeBytes } from './byteBudget'

/**
 * How deep a body's arrays and objects may nest. The protocol's deepest envelope is a few levels
 * (push → commits → events → data); a body of 100,000 `[` parses in V8, but every step after it
 * that walks the value (the schema, JSON.stringify for the database, jsonb) recurses.
 */
export const MAX_DEPTH = 64

const OPEN_ARRAY = 0x5b
const OPEN_OBJECT = 0x7b
const CLOSE_ARRAY = 0x5d
const CLOSE_OBJECT = 0x7d
const QUOTE = 0x22
const BACKSLASH = 0x5c

/** The deepest nesting of `[` and `{` in `text`, outside strings; one pass, no recursion. Stops counting past `limit`. */
export function nestingDepth(text: string, limit = Number.POSITIVE_INFINITY): number {
  let depth = 0
  let deepest = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i)
    if (inString) {
      if (char === BACKSLASH) i++
      else if (char === QUOTE) inString = false
    } else if (char === QUOTE) {
      inString = true
    } else if (char === OPEN_ARRAY || char === OPEN_OBJECT) {
      if (++depth > deepest && (deepest = depth) > limit) return deepest
    } else if (char === CLOSE_ARRAY || char === CLOSE_OBJECT) {
      depth--
    }
  }
  return deepest
}

export async function readJson<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  const text = await c.req.text()
  // What was read counts against the account's byte budget (./byteBudget), chunked or not.
  chargeBytes(c, Buffer.byteLength(text))
  if (nestingDepth(text, MAX_DEPTH) > MAX_DEPTH) throw protocolError('invalid', `The body nests deeper than ${MAX_DEPTH} levels.`)
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    throw protocolError('invalid', 'The body is not JSON.')
  }
  const parsed = schema.safeParse(body)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw protocolError('invalid', issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'The body is not valid.')
  }
  return parsed.data
}
