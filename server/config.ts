// The server's settings, from the environment (docs: DESIGN.md "Parts and how they start").
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'

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
}

export const DEFAULT_DIST = resolve(import.meta.dirname, '..', 'dist')

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
  }
}
