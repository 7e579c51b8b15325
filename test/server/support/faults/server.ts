// The sync server as a child process that a fault can SIGKILL and a supervisor starts again at
// once on the same port and storage (`node --import tsx server/main.ts`, as serverProcess.ts
// starts it, but with the port kept across restarts).
import { spawn, type ChildProcess } from 'node:child_process'
import { resolve } from 'node:path'
import type { Storage } from '../serverProcess'

const ROOT = resolve(import.meta.dirname, '..', '..', '..', '..')
const STOP_WITHIN_MS = 10_000
const HEALTHY_WITHIN_MS = 180_000

export interface RestartableServer {
  /** `http://127.0.0.1:<port>`, the same across restarts. */
  readonly base: string
  readonly port: number
  /** Every process's output so far, with a line where each started and exited. */
  output(): string
  /** SIGKILL (no chance to close anything), then resolves once the process is gone. */
  kill(): Promise<void>
  /** Starts a process again on the same port and storage; resolves once /api/health answers 200. */
  start(): Promise<void>
  /** SIGTERM, and waits for the exit (at most 10 s); nothing when no process runs. */
  stop(): Promise<void>
}

/** Starts the server on a free port (then keeps it) and waits until it is healthy. */
export async function startRestartableServer(storage: Storage): Promise<RestartableServer> {
  let port = 0
  let text = ''
  let current: { child: ChildProcess; exited: Promise<void>; gone: boolean } | null = null

  const launch = async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, HOST: '127.0.0.1', PORT: String(port) }
    delete env.DATABASE_URL
    delete env.KIROKU_DATA_DIR
    Object.assign(env, storage)
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
    const from = text.length
    text += `[${new Date().toISOString()} pid ${child.pid} started on port ${port || 'any'}]\n`
    const running = { child, gone: false, exited: Promise.resolve() }
    running.exited = new Promise<void>((done) =>
      child.once('exit', (code, signal) => {
        running.gone = true
        text += `[${new Date().toISOString()} pid ${child.pid} exit ${code ?? signal}]\n`
        done()
      }),
    )
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (text += chunk))
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (text += chunk))
    current = running
    const deadline = Date.now() + HEALTHY_WITHIN_MS
    for (;;) {
      if (running.gone) throw new Error(`the sync server exited before it was healthy:\n${text}`)
      if (Date.now() > deadline) {
        child.kill('SIGKILL')
        throw new Error(`the sync server was not healthy within ${HEALTHY_WITHIN_MS} ms:\n${text}`)
      }
      const listening = /kiroku server: http:\/\/127\.0\.0\.1:(\d+) /.exec(text.slice(from))
      if (listening) {
        port = Number(listening[1])
        const health = await fetch(`http://127.0.0.1:${port}/api/health`).catch(() => null)
        if (health?.status === 200) return
      }
      // Polling its log and /api/health: a short pause between looks.
      await Promise.race([running.exited, new Promise((r) => setTimeout(r, 50))])
    }
  }

  const signal = async (name: NodeJS.Signals) => {
    const running = current
    if (!running || running.gone) return
    running.child.kill(name)
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), STOP_WITHIN_MS)))
    const result = await Promise.race([running.exited, late])
    clearTimeout(timer)
    if (result === 'late') {
      running.child.kill('SIGKILL')
      await running.exited
      throw new Error(`the sync server did not exit within ${STOP_WITHIN_MS} ms of ${name}:\n${text}`)
    }
  }

  await launch()
  return {
    get base() {
      return `http://127.0.0.1:${port}`
    },
    get port() {
      return port
    },
    output: () => text,
    kill: () => signal('SIGKILL'),
    start: launch,
    stop: () => signal('SIGTERM'),
  }
}
