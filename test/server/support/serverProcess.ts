// The sync server as a real child process (`node --import tsx server/main.ts`), for tests of what
// only a process shows: several processes on one database, restarts, SIGTERM, PGlite's lock file.
// Also the few HTTP calls those tests make (sign up, push a cart event, pull, read /live).
import { spawn, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { resolve } from 'node:path'
import { catalog } from '../../../src/domain'

const ROOT = resolve(import.meta.dirname, '..', '..', '..')
const STOP_WITHIN_MS = 10_000

/** Where the server keeps its data: a real PostgreSQL, or PGlite in a folder. */
export type Storage = { DATABASE_URL: string } | { KIROKU_DATA_DIR: string }

export interface Exit {
  code: number | null
  signal: NodeJS.Signals | null
}

export interface ServerProcess {
  /** `http://127.0.0.1:<port>` */
  base: string
  pid: number
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string
  /** SIGTERM; resolves once it exited (with how long that took), throws if it took longer than 10 s. */
  stop(): Promise<Exit & { ms: number }>
}

const running = new Set<ChildProcess>()

function launch(storage: Storage): { child: ChildProcess; output: () => string; exited: Promise<Exit> } {
  const env: NodeJS.ProcessEnv = { ...process.env, HOST: '127.0.0.1', PORT: '0' }
  delete env.DATABASE_URL
  delete env.KIROKU_DATA_DIR
  Object.assign(env, storage)
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
  running.add(child)
  let text = ''
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (text += chunk))
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (text += chunk))
  const exited = new Promise<Exit>((done) =>
    child.once('exit', (code, signal) => {
      running.delete(child)
      done({ code, signal })
    }),
  )
  return { child, output: () => text, exited }
}

/**
 * Starts a server on a free port and resolves once its /api/health answers 200. Rejects (with the
 * process's output) if it exits first or is not healthy within `timeoutMs`.
 */
export async function startServer(storage: Storage, { timeoutMs = 90_000 } = {}): Promise<ServerProcess> {
  const { child, output, exited } = launch(storage)
  let exit: Exit | null = null
  void exited.then((e) => (exit = e))
  const deadline = Date.now() + timeoutMs
  const fail = (why: string) => {
    child.kill('SIGKILL')
    return new Error(`server process ${child.pid}: ${why}\n--- output ---\n${output()}`)
  }
  // main.ts logs `kiroku server: http://127.0.0.1:<port> (…)` once it listens.
  let base: string | undefined
  for (;;) {
    if (exit) throw fail(`exited (code ${String((exit as Exit).code)}) before it was healthy`)
    if (Date.now() > deadline) throw fail(`not healthy within ${timeoutMs} ms`)
    base ??= /kiroku server: (http:\/\/127\.0\.0\.1:\d+) /.exec(output())?.[1]
    if (base) {
      const health = await fetch(`${base}/api/health`).catch(() => null)
      if (health?.status === 200) break
    }
    // Polling the log and /api/health, not waiting for an event: a short pause between looks.
    await Promise.race([exited, new Promise((r) => setTimeout(r, 50))])
  }
  return {
    base,
    pid: child.pid!,
    output,
    async stop() {
      const started = Date.now()
      if (exit) return { ...(exit as Exit), ms: 0 }
      child.kill('SIGTERM')
      let timer: NodeJS.Timeout | undefined
      const late = new Promise<null>((r) => (timer = setTimeout(() => r(null), STOP_WITHIN_MS)))
      const result = await Promise.race([exited, late])
      clearTimeout(timer)
      if (!result) throw fail(`did not exit within ${STOP_WITHIN_MS} ms of SIGTERM`)
      return { ...result, ms: Date.now() - started }
    },
  }
}

/** Starts a server expected to refuse to start: resolves with its exit and output, or rejects if it is still running after `timeoutMs`. */
export async function startExpectingFailure(storage: Storage, { timeoutMs = 60_000 } = {}): Promise<Exit & { output: string }> {
  const { child, output, exited } = launch(storage)
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<null>((r) => (timer = setTimeout(() => r(null), timeoutMs)))
  const result = await Promise.race([exited, late])
  clearTimeout(timer)
  if (!result) {
    child.kill('SIGKILL')
    throw new Error(`server process ${child.pid} still running after ${timeoutMs} ms\n--- output ---\n${output()}`)
  }
  return { ...result, output: output() }
}

/** SIGKILLs every server process still running (for afterAll, when a test failed midway). */
export async function killAll(): Promise<void> {
  await Promise.all(
    [...running].map(
      (child) =>
        new Promise<void>((done) => {
          child.once('exit', () => done())
          child.kill('SIGKILL')
        }),
    ),
  )
}

// --- HTTP, as the tests' user ---

/** Signs up (201) and returns the `kiroku_session=…` cookie. */
export async function signUp(base: string, email: string): Promise<string> {
  const response = await fetch(`${base}/api/auth/signup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: 'correct horse battery' }) })
  if (response.status !== 201) throw new Error(`signup answered ${response.status}: ${await response.text()}`)
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith('kiroku_session='))
  if (!cookie) throw new Error('signup set no kiroku_session cookie')
  return cookie.split(';')[0]!
}

/** A `Cart.ItemAdded` of the catalog's first product at its catalog price (the server checks both). */
export const itemAdded = (cartId: string) => ({
  eventId: randomUUID(),
  type: 'Cart.ItemAdded',
  data: { cartId, itemId: catalog[0]!.id, quantity: 1, price: catalog[0]!.price },
  metadata: { correlationId: 'c', timestamp: '2026-11-29T10:00:00.000Z' },
})

/** Pushes one commit of `event` to a new stream `Cart$<cartId>`; returns the status and body. */
export async function pushEvent(base: string, cookie: string, event: ReturnType<typeof itemAdded>): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${base}/api/sync/push`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie },
    body: JSON.stringify({ clientId: 'laptop', commits: [{ stream: `Cart$${event.data.cartId}`, expectedVersion: -1, events: [event] }] }),
  })
  return { status: response.status, body: await response.json() }
}

export interface Pulled {
  events: Array<Record<string, unknown>>
  head: number
  hasMore: boolean
}

export async function pullAll(base: string, cookie: string): Promise<{ status: number; body: Pulled }> {
  const response = await fetch(`${base}/api/sync/pull?after=0`, { headers: { cookie } })
  return { status: response.status, body: (await response.json()) as Pulled }
}

/** Opens /api/sync/live; `until` reads the stream until its text matches (rejecting if it ends first). */
export async function openLive(base: string, cookie: string): Promise<{ status: number; until(pattern: RegExp): Promise<string>; close(): void }> {
  const controller = new AbortController()
  const response = await fetch(`${base}/api/sync/live`, { headers: { cookie }, signal: controller.signal })
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader()
  let text = ''
  return {
    status: response.status,
    async until(pattern) {
      while (!pattern.test(text)) {
        const { value, done } = await reader.read()
        if (done) throw new Error(`the stream ended before ${pattern}: ${text}`)
        text += value
      }
      return text
    },
    close: () => controller.abort(),
  }
}
