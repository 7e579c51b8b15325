// Request bodies: JSON only, validated with a zod schema; anything else is 400 `invalid`.
import type { Context } from 'hono'
import type { z } from 'zod'
import { protocolError } from '../protocol'

export async function readJson<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  let body: unknown
  try {
    body = JSON.parse(await c.req.text())
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
