// Whose fault a failed batch is. An event's own data can make a handler throw (a value the read
// model cannot hold, a shape it did not expect): that event is parked and the others go on. But
// when the database is unreachable, closing or cut off, or the code's SQL or schema is wrong, every
// event would fail alike: parking them would empty the read model into the parked table. Those
// errors park nothing; the runner tries again later and goes on by itself once the cause is gone.

/**
 * SQLSTATE classes that are not an event's fault: 08 connection, 40 transaction rollback
 * (serialization, deadlock), 42 syntax or access rule (the code or the schema), 53 insufficient
 * resources (disk, memory, connections), 57 operator intervention (shutdown, cancel), 58 system
 * (I/O).
 */
const UNAVAILABLE_CLASSES = new Set(['08', '40', '42', '53', '57', '58'])

/** Node's socket errors, as node-postgres passes them on. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'])

/**
 * The whole messages of the adapters' errors for a closed or lost database (they have no code).
 * Matched whole, so that a handler's own message quoting event data cannot pass for one.
 */
const CLOSED =
  /^(PGlite is closed|Cannot use a pool after calling end on the pool|Client was closed and is not queryable|Client has encountered a connection error and is not queryable|Connection terminated|Connection terminated unexpectedly|Connection terminated due to connection timeout|timeout exceeded when trying to connect)$/

/** True when the error says the database is unavailable or the code is wrong: no event is to blame. */
export function isUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false
  const code = (error as { code?: unknown }).code
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return UNAVAILABLE_CLASSES.has(code.slice(0, 2))
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return true
  return CLOSED.test(error.message)
}

export interface ErrorSummary {
  /** The SQLSTATE of a database error, else the error's own code, else its name (`TypeError`). */
  code: string
  message: string
}

/** The error's code and message, storable as text (no NUL, no lone surrogate) and bounded in length. */
export function summarize(error: unknown): ErrorSummary {
  const ownCode = (error as { code?: unknown } | null)?.code
  const code = typeof ownCode === 'string' && ownCode !== '' ? ownCode : error instanceof Error ? error.name : typeof error
  return { code: storable(code, 64), message: storable(error instanceof Error ? error.message : stringOf(error), 2_000) }
}

/** One line for a log: the code, and the message only when it cannot quote event data. */
export function logSummary(error: unknown): string {
  const { code, message } = summarize(error)
  return isUnavailable(error) ? `${code}: ${message.replace(/\s+/g, ' ').slice(0, 200)}` : code
}

function stringOf(value: unknown): string {
  try {
    return String(value)
  } catch {
    return 'a value that is not an Error'
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g

function storable(text: string, max: number): string {
  // PostgreSQL's text cannot hold NUL.
  return text.replace(/\u0000/g, '').slice(0, max).replace(LONE_SURROGATE, '\uFFFD')
}
