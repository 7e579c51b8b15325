// The Node HTTP server under the app, with the limits a socket gets before any route sees it:
// how long its headers and its whole request may take, how long it may idle between requests,
// and how many sockets the process and one address may hold. Without them anyone can open
// sockets that send half a header, or a body at one byte a second, until the process runs out
// of open files and answers nobody (issue 24, item 5).
import { serve, type ServerType } from '@hono/node-server'
import { readFileSync } from 'node:fs'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import type { App } from './app'

export interface ConnectionLimits {
  /** Until a request's headers are all in; then 408 and the socket closes (default 10 s). */
  headersTimeoutMs: number
  /** Until a whole request, body included, is in (default 60 s). Never cuts an answer being sent: a live stream is not limited by it. */
  requestTimeoutMs: number
  /** An idle keep-alive socket closes after this long (default 5 s). */
  keepAliveTimeoutMs: number
  /** Sockets the process holds at once (default: the open-file limit less a reserve, at most 20,000). */
  maxConnections: number
  /** Sockets one address holds at once (IPv6: one /64); 0 for no such cap (default: a quarter of `maxConnections`, none behind a trusted proxy). */
  maxConnectionsPerAddress: number
}

export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000
export const DEFAULT_KEEP_ALIVE_TIMEOUT_MS = 5_000
/** However many files the process may open, this many sockets at most (each costs memory too). */
export const MAX_CONNECTIONS_CEILING = 20_000

/** The process's soft limit on open files (Linux's /proc/self/limits), or undefined where it cannot be read. */
export function openFileLimit(limits = () => readFileSync('/proc/self/limits', 'utf8')): number | undefined {
  try {
    const soft = /^Max open files\s+(\d+|unlimited)/m.exec(limits())?.[1]
    return soft === undefined || soft === 'unlimited' ? undefined : Number(soft)
  } catch {
    return undefined
  }
}

/**
 * The default cap on sockets: the open-file limit less what the process needs besides them (the
 * database's connections and files, the app's static files, stdio): a tenth of the limit, at
 * least 256. 1,024 when the limit cannot be read.
 */
export function defaultMaxConnections(fileLimit = openFileLimit()): number {
  if (fileLimit === undefined) return 1_024
  return Math.max(16, Math.min(MAX_CONNECTIONS_CEILING, fileLimit - Math.max(256, Math.ceil(fileLimit / 10))))
}

/** What one address is counted as: an IPv4 address (IPv4-mapped IPv6 too) as itself, an IPv6 address by its /64, which one holder usually has whole. */
export function addressKey(address: string | undefined): string {
  if (!address) return 'unknown'
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)
  if (mapped) return mapped[1]!
  if (!address.includes(':')) return address
  const bare = address.split('%')[0]!.toLowerCase()
  const [head = '', tail] = bare.includes('::') ? bare.split('::') : [bare]
  const left = head ? head.split(':') : []
  const right = tail ? tail.split(':') : []
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right]
  return `${groups.slice(0, 4).map((group) => group.replace(/^0+(?=.)/, '')).join(':')}::/64`
}

/**
 * Counts sockets as they open and close. Past `maxConnectionsPerAddress` a new socket from that
 * address is closed at once. Past `maxConnections` the socket that has waited longest without
 * a whole request in (its headers and body), or idles between requests, is closed to make room
 * (one that sends nothing useful should not keep out one that does); when every socket is busy
 * with a request, the new one is closed instead.
 */
export function capConnections(server: Server, { maxConnections, maxConnectionsPerAddress }: Pick<ConnectionLimits, 'maxConnections' | 'maxConnectionsPerAddress'>): void {
  let total = 0
  const perAddress = new Map<string, number>()
  /** Sockets that have not sent a whole request yet, oldest first (a Set keeps insertion order). */
  const waiting = new Set<Socket>()
  server.on('connection', (socket: Socket) => {
    const key = addressKey(socket.remoteAddress)
    const held = perAddress.get(key) ?? 0
    if (maxConnectionsPerAddress > 0 && held >= maxConnectionsPerAddress) {
      socket.destroy()
      return
    }
    if (total >= maxConnections) {
      const oldest = waiting.values().next().value
      if (oldest === undefined) {
        socket.destroy()
        return
      }
      waiting.delete(oldest)
      oldest.destroy()
    }
    total++
    perAddress.set(key, held + 1)
    waiting.add(socket)
    socket.once('close', () => {
      total--
      waiting.delete(socket)
      const left = (perAddress.get(key) ?? 1) - 1
      if (left > 0) perAddress.set(key, left)
      else perAddress.delete(key)
    })
  })
  // A socket may be closed to make room until its request is all in (headers and body: a body
  // sent a byte a second holds a socket as well as half a header does), and again once its
  // answer is sent and it idles for the next one. A request whose body nobody reads (a GET, a
  // live stream) is all in once the parser is past it, which it is by the next turn.
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const socket = request.socket
    const arrived = () => waiting.delete(socket)
    request.once('end', arrived)
    setImmediate(() => request.complete && arrived())
    response.once('finish', () => {
      if (!socket.destroyed) waiting.add(socket)
    })
  })
}

/** The limits in a few words, for the start-up line. */
export function describeLimits({ headersTimeoutMs, requestTimeoutMs, maxConnections, maxConnectionsPerAddress }: ConnectionLimits): string {
  const perAddress = maxConnectionsPerAddress > 0 ? `, ${maxConnectionsPerAddress} per address` : ''
  return `at most ${maxConnections} connections${perAddress}; headers within ${headersTimeoutMs / 1000} s, a request within ${requestTimeoutMs / 1000} s`
}

export interface ListenOptions {
  fetch: App['fetch']
  /** Default 127.0.0.1: this machine only. */
  hostname?: string
  /** Default 8787; 0 for any free port (the `listening` callback says which). */
  port?: number
  /** Each limit left out has its default (see ConnectionLimits). */
  limits?: Partial<ConnectionLimits>
}

/** The connection limits with each one not given at its default. */
export function connectionLimitsOf(limits: Partial<ConnectionLimits> = {}): ConnectionLimits {
  const maxConnections = limits.maxConnections ?? defaultMaxConnections()
  return {
    headersTimeoutMs: DEFAULT_HEADERS_TIMEOUT_MS,
    requestTimeoutMs: Math.max(DEFAULT_REQUEST_TIMEOUT_MS, limits.headersTimeoutMs ?? 0),
    keepAliveTimeoutMs: DEFAULT_KEEP_ALIVE_TIMEOUT_MS,
    maxConnectionsPerAddress: Math.max(1, Math.floor(maxConnections / 4)),
    ...limits,
    maxConnections,
  }
}

/** Serves `fetch` on hostname:port under `limits`; returns the node:http server (for its clean stop). */
export function listen(options: ListenOptions, listening?: (info: AddressInfo) => void): ServerType {
  const { fetch, hostname = '127.0.0.1', port = 8787 } = options
  const limits = connectionLimitsOf(options.limits)
  const server = serve(
    {
      fetch,
      hostname,
      port,
      serverOptions: {
        headersTimeout: limits.headersTimeoutMs,
        requestTimeout: limits.requestTimeoutMs,
        keepAliveTimeout: limits.keepAliveTimeoutMs,
        // Node looks for sockets past those timeouts this often (its default, 30 s, would let a
        // slow header live three times its limit); a look only walks the sockets mid-request.
        connectionsCheckingInterval: Math.max(100, Math.min(1_000, Math.floor(limits.headersTimeoutMs / 4))),
      },
    },
    listening,
  )
  capConnections(server as Server, limits)
  return server
}
