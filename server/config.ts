// The server's settings, from the environment (docs: DESIGN.md "Parts and how they start").
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import {
  DEFAULT_HEADERS_TIMEOUT_MS,
  DEFAULT_KEEP_ALIVE_TIMEOUT_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  defaultMaxConnections,
  type ConnectionLimits,
} from '../src/server/http/listen'
import { BODIES_IN_FLIGHT } from '../src/server/http/bodiesInFlight'
import { DEFAULT_BYTE_BUDGET } from '../src/server/http/byteBudget'

export interface Config {
  host: string
  port: number
  /** A real PostgreSQL; when unset, embedded PGlite in `dataDir`. */
  databaseUrl: string | undefined
  /** PGlite's folder (absolute). */
  dataDir: string
  /** The built app to serve, when dist/index.html exists. */
  staticDir: string | undefined
  /**
   * Behind a TLS proxy (KIROKU_TRUST_PROXY=1): the origin check and the cookie's `Secure` flag
   * follow X-Forwarded-Proto and X-Forwarded-Host, the client's address the first of
   * X-Forwarded-For. Off by default: then those headers, which anyone can send, are ignored.
   */
  trustProxy: boolean
  /**
   * The origins the server is known by besides an IP address or localhost (KIROKU_ORIGIN, comma
   * separated, e.g. `https://shop.example`): a request addressed to any other name is refused
   * (the server's `origins`).
   */
  origins: string[]
  /** Timeouts and caps of the sockets (the library's ConnectionLimits), each from its KIROKU_* variable. */
  limits: ConnectionLimits
  /**
   * One account's share while others are served (the library's ByteBudget): bytes a second
   * (KIROKU_ACCOUNT_BYTES_PER_SECOND) and at once (KIROKU_ACCOUNT_BURST_BYTES), default 4 MiB each.
   */
  byteBudget: { bytesPerSecond: number; burstBytes: number }
  /** Bytes of request bodies all requests may have the process hold at once (KIROKU_BODIES_IN_FLIGHT, default 256 MiB). */
  bodiesInFlight: number
}

export const DEFAULT_DIST = resolve(import.meta.dirname, '..', 'dist')

/** A whole number from `env[name]` at least `min`, or `fallback` when it is unset or empty. */
function wholeNumber(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const text = env[name]
  if (text === undefined || text === '') return fallback
  const value = Number(text)
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < min) throw new Error(`${name} must be a whole number of at least ${min}, not "${text}".`)
  return value
}

/** KIROKU_ORIGIN's origins, each as `URL.origin` writes it; a value that is not an http(s) origin stops the start. */
function parseOrigins(text: string | undefined): string[] {
  if (!text?.trim()) return []
  return text.split(',').map((part) => {
    const value = part.trim()
    const url = URL.canParse(value) ? new URL(value) : undefined
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.pathname !== '/' || url.search || url.hash || url.username || url.password)
      throw new Error(`KIROKU_ORIGIN must list origins such as https://shop.example (scheme, host and port only, comma separated), not "${value}".`)
    return url.origin
  })
}

function loadLimits(env: NodeJS.ProcessEnv, trustProxy: boolean): ConnectionLimits {
  const headersTimeoutMs = wholeNumber(env, 'KIROKU_HEADERS_TIMEOUT_MS', DEFAULT_HEADERS_TIMEOUT_MS, 1)
  const requestTimeoutMs = wholeNumber(env, 'KIROKU_REQUEST_TIMEOUT_MS', Math.max(DEFAULT_REQUEST_TIMEOUT_MS, headersTimeoutMs), 1)
  // Node refuses a headers timeout longer than the request's, which includes the headers.
  if (headersTimeoutMs > requestTimeoutMs) throw new Error(`KIROKU_HEADERS_TIMEOUT_MS (${headersTimeoutMs}) may not be longer than KIROKU_REQUEST_TIMEOUT_MS (${requestTimeoutMs}).`)
  const maxConnections = wholeNumber(env, 'KIROKU_MAX_CONNECTIONS', defaultMaxConnections(), 1)
  // Behind a proxy every socket comes from the proxy's address: the proxy limits its clients.
  const perAddress = trustProxy ? 0 : Math.max(1, Math.floor(maxConnections / 4))
  return {
    headersTimeoutMs,
    requestTimeoutMs,
    keepAliveTimeoutMs: wholeNumber(env, 'KIROKU_KEEP_ALIVE_TIMEOUT_MS', DEFAULT_KEEP_ALIVE_TIMEOUT_MS, 1),
    maxConnections,
    maxConnectionsPerAddress: wholeNumber(env, 'KIROKU_MAX_CONNECTIONS_PER_ADDRESS', perAddress, 0),
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, dist = DEFAULT_DIST): Config {
  const port = Number(env.PORT || '8787')
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`PORT must be a port number (0…65535), not "${env.PORT}".`)
  const trustProxy = env.KIROKU_TRUST_PROXY || '0'
  if (trustProxy !== '0' && trustProxy !== '1') throw new Error(`KIROKU_TRUST_PROXY must be 1 (behind a TLS proxy that sets X-Forwarded-*) or 0, not "${trustProxy}".`)
  return {
    host: env.HOST || '127.0.0.1',
    port,
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: resolve(env.KIROKU_DATA_DIR || '.kiroku/db'),
    staticDir: existsSync(join(dist, 'index.html')) ? dist : undefined,
    trustProxy: trustProxy === '1',
    origins: parseOrigins(env.KIROKU_ORIGIN),
    limits: loadLimits(env, trustProxy === '1'),
    byteBudget: {
      bytesPerSecond: wholeNumber(env, 'KIROKU_ACCOUNT_BYTES_PER_SECOND', DEFAULT_BYTE_BUDGET.bytesPerSecond, 1),
      burstBytes: wholeNumber(env, 'KIROKU_ACCOUNT_BURST_BYTES', DEFAULT_BYTE_BUDGET.burstBytes, 1),
    },
    bodiesInFlight: wholeNumber(env, 'KIROKU_BODIES_IN_FLIGHT', BODIES_IN_FLIGHT, 1),
  }
}
