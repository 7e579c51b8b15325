// Raw HTTP for the abuse tests and bench rows (test/server/abuse*.test.ts, bench/sync/sections/
// 6-abuse.ts): one connection per request (no pool, so a thousand streams are a thousand sockets),
// from a chosen loopback address (127.0.0.x: every one is this machine), bodies sent slowly or
// chunked without a length, and a server process's memory and open files read from /proc.
import { readdirSync, readFileSync } from 'node:fs'
import { request as httpRequest, type IncomingMessage } from 'node:http'

export interface Answer {
  status: number
  headers: IncomingMessage['headers']
  text: string
}

export interface Call {
  method?: string
  headers?: Record<string, string>
  body?: string
  /** The client's address, e.g. 127.0.0.7 (default: the system's choice, 127.0.0.1). */
  from?: string
}

/** One request on a connection of its own; resolves with the whole answer. */
export function call(base: string, path: string, { method = 'GET', headers = {}, body, from }: Call = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${base}${path}`, { method, headers, agent: false, localAddress: from }, (response) => {
      let text = ''
      response.setEncoding('utf8')
      response.on('data', (chunk: string) => (text += chunk))
      response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, text }))
      response.on('error', reject)
    })
    request.on('error', reject)
    request.end(body)
  })
}

/** POSTs JSON. */
export const postJson = (base: string, path: string, value: unknown, options: Omit<Call, 'method' | 'body'> = {}) =>
  call(base, path, { ...options, method: 'POST', headers: { 'content-type': 'application/json', ...options.headers }, body: typeof value === 'string' ? value : JSON.stringify(value) })

export interface Stream {
  status: number
  headers: IncomingMessage['headers']
  /** Resolves with the text read so far once it matches (rejects if the stream ends first). */
  until(pattern: RegExp): Promise<string>
  /** Resolves once the server ended the stream. */
  ended: Promise<void>
  close(): void
}

/**
 * Opens a GET stream (e.g. /api/sync/live) on a connection of its own; resolves once its headers
 * came. With `read: false` it never reads the body: the socket is paused, so what the server
 * writes piles up in the kernel's buffers and then in the server.
 */
export function openStream(base: string, path: string, { headers = {}, from, read = true }: Omit<Call, 'method' | 'body'> & { read?: boolean } = {}): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${base}${path}`, { headers, agent: false, localAddress: from }, (response) => {
      if (!read) response.socket.pause()
      let text = ''
      const waiting = new Set<() => void>()
      response.setEncoding('utf8')
      if (read)
        response.on('data', (chunk: string) => {
          text += chunk
          for (const check of [...waiting]) check()
        })
      const ended = new Promise<void>((done) => response.once('close', () => done()))
      void ended.then(() => {
        for (const check of [...waiting]) check()
      })
      let over = false
      void ended.then(() => (over = true))
      resolve({
        status: response.statusCode!,
        headers: response.headers,
        ended,
        until: (pattern) =>
          new Promise<string>((found, lost) => {
            const check = () => {
              if (pattern.test(text)) {
                waiting.delete(check)
                found(text)
              } else if (over) {
                waiting.delete(check)
                lost(new Error(`the stream ended before ${pattern}: ${text}`))
              }
            }
            waiting.add(check)
            check()
          }),
        close: () => request.destroy(),
      })
    })
    request.on('error', reject)
    request.end()
  })
}

export interface SlowUpload {
  /** The answer's status, or 0 when the connection closed with none. */
  status: number
  text: string
  retryAfter?: string
  /** Body bytes written before the answer came (or the connection closed). */
  sent: number
  ms: number
}

/**
 * POSTs a body of `total` bytes (a JSON string's content, `"xxxx…`) in chunks of `chunk` bytes,
 * one chunk every `everyMs`: with a Content-Length, or chunked without one. Stops writing as soon
 * as the answer comes or the server closes the connection.
 */
export function uploadSlowly(
  base: string,
  path: string,
  { total, chunk = 64 * 1024, everyMs = 1, withLength = false, headers = {} }: { total: number; chunk?: number; everyMs?: number; withLength?: boolean; headers?: Record<string, string> },
): Promise<SlowUpload> {
  return new Promise((resolve) => {
    const started = Date.now()
    let sent = 0
    let done = false
    let timer: NodeJS.Timeout | undefined
    const finish = (result: Omit<SlowUpload, 'sent' | 'ms'>) => {
      if (done) return
      done = true
      clearTimeout(timer)
      resolve({ ...result, sent, ms: Date.now() - started })
      request.destroy()
    }
    const request = httpRequest(`${base}${path}`, {
      method: 'POST',
      agent: false,
      headers: { 'content-type': 'application/json', ...(withLength ? { 'content-length': String(total) } : { 'transfer-encoding': 'chunked' }), ...headers },
    })
    request.on('response', (response) => {
      let text = ''
      response.setEncoding('utf8')
      response.on('data', (part: string) => (text += part))
      const retryAfter = response.headers['retry-after']
      response.on('end', () => finish({ status: response.statusCode!, text, retryAfter }))
      response.on('error', () => finish({ status: response.statusCode!, text, retryAfter }))
    })
    request.on('error', () => finish({ status: 0, text: '' }))
    request.on('close', () => finish({ status: 0, text: '' }))
    request.flushHeaders()
    const piece = Buffer.alloc(chunk, 'x')
    const next = () => {
      if (done || sent >= total) return
      const size = Math.min(chunk, total - sent)
      const ok = request.write(size === chunk ? piece : piece.subarray(0, size))
      sent += size
      if (sent >= total) request.end()
      else if (ok) timer = setTimeout(next, everyMs)
      else request.once('drain', () => (timer = setTimeout(next, everyMs)))
    }
    next()
  })
}

/** A process's resident memory in bytes (VmRSS of /proc/<pid>/status). */
export function rssOf(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]
  if (!kb) throw new Error(`no VmRSS for process ${pid}`)
  return Number(kb) * 1024
}

/** How many files (sockets included) a process has open. */
export const openFilesOf = (pid: number) => readdirSync(`/proc/${pid}/fd`).length

/** Signs a new account up from `from` (201) and returns its `kiroku_session=…` cookie. */
export async function signUpFrom(base: string, email: string, from?: string, password = 'correct horse battery'): Promise<string> {
  const answer = await postJson(base, '/api/auth/signup', { email, password }, { from })
  if (answer.status !== 201) throw new Error(`signup ${email}: HTTP ${answer.status} ${answer.text}`)
  const cookie = ([] as string[]).concat(answer.headers['set-cookie'] ?? []).find((c) => c.startsWith('kiroku_session='))
  if (!cookie) throw new Error(`signup ${email}: no session cookie`)
  return cookie.split(';')[0]!
}

/** Runs `task(i)` for i = 0…n-1, at most `width` at a time; resolves with the results in order. */
export async function inWaves<T>(n: number, width: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array<T>(n)
  let next = 0
  await Promise.all(
    Array.from({ length: Math.min(width, n) }, async () => {
      while (next < n) {
        const i = next++
        results[i] = await task(i)
      }
    }),
  )
  return results
}
