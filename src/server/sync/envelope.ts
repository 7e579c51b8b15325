// The shapes of push's body and pull's query. A malformed envelope is one `invalid` ProtocolError and
// nothing is stored; what is wrong inside an event's `data` is judged later, per commit.
import { z } from 'zod'
import { protocolError } from '../protocol'
import { isStorableText } from './storable'

export const MAX_COMMITS = 100
export const MAX_EVENTS = 1_000
export const DEFAULT_PULL_LIMIT = 500
export const MAX_PULL_LIMIT = 1_000
/** Characters of a clientId: it is stored with every event of the push (a browser's is a UUID). */
export const MAX_CLIENT_ID = 200

const expectedVersion = z.union([z.literal('any'), z.literal('none'), z.number().int().min(-1).max(Number.MAX_SAFE_INTEGER)])

const eventEnvelope = z.object({
  eventId: z.uuid(),
  type: z.string().min(1),
  // `data` is the event's content: any JSON value here; its definition's schema decides later.
  data: z.unknown().refine((value) => value !== undefined, 'data is required'),
  metadata: z.record(z.string(), z.unknown()).optional().default({}),
})

/** Characters of a space's id (the server makes them much shorter). */
export const MAX_SPACE_ID = 100

const spaceId = z.string().min(1).max(MAX_SPACE_ID)

const commitEnvelope = z.object({
  /** The space the stream is in; absent: the account's personal space. */
  space: spaceId.optional(),
  stream: z.string().min(1),
  expectedVersion,
  events: z.array(eventEnvelope).min(1),
})

export const pushBodySchema = z.object({
  clientId: z
    .string()
    .min(1)
    .max(MAX_CLIENT_ID)
    .refine(isStorableText, 'a NUL character or a lone surrogate (half of a UTF-16 pair) cannot be stored'),
  commits: z
    .array(commitEnvelope)
    .max(MAX_COMMITS)
    .refine((commits) => commits.reduce((sum, commit) => sum + commit.events.length, 0) <= MAX_EVENTS, `at most ${MAX_EVENTS} events in one push`),
})

export type PushBody = z.infer<typeof pushBodySchema>
export type Commit = PushBody['commits'][number]
export type ExpectedVersion = Commit['expectedVersion']
export type EventEnvelope = Commit['events'][number]

/** A whole number from a query string (or a number): digits only, so '1.5', '1e3' and '' are refused. */
const wholeNumber = z.union([z.number().int().min(0).max(Number.MAX_SAFE_INTEGER), z.string().regex(/^\d{1,15}$/).transform(Number)])

export const pullQuerySchema = z.object({
  space: spaceId.optional(),
  after: wholeNumber.optional().default(0),
  limit: wholeNumber
    .optional()
    .default(DEFAULT_PULL_LIMIT)
    .refine((limit) => limit >= 1, 'limit must be at least 1')
    .transform((limit) => Math.min(limit, MAX_PULL_LIMIT)),
})

export interface PullQuery {
  space?: string
  after: number
  limit: number
}

function parse<T>(schema: z.ZodType<T>, input: unknown, what: string): T {
  const result = schema.safeParse(input)
  if (result.success) return result.data
  const issues = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
  throw protocolError('invalid', `The ${what} is malformed: ${issues.join('; ')}`)
}

/** The push body, or an `invalid` ProtocolError. */
export const parsePushBody = (input: unknown): PushBody => parse(pushBodySchema, input, 'push body')

/** Pull's `after` and `limit` (query-string values or numbers), or an `invalid` ProtocolError. */
export const parsePullQuery = (input: unknown): PullQuery => parse(pullQuerySchema, input ?? {}, 'pull query')
