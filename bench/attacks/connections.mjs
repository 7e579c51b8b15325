#!/usr/bin/env node
// Black-box attack on the server's sockets without an account (issue 24, item 5): a fresh
// `npx tsx server/main.ts` on PGlite in a temp folder, on a free loopback port, with its default
// limits. Two attacker processes (each has its own open-file limit) try to hold about 9,900
// sockets each that send half a header, from four loopback addresses, opening a new one whenever
// the server closes one; this process adds 300 bodies and 300 headers sent a byte a second. A
// signed-in bystander samples /api/health and its pull every 250 ms (a new connection each time,
// from 127.0.0.1), before (quiet), during and after; the server's open files (/proc/<pid>/fd) and
// VmRSS are sampled with it. Prints the figures. Loopback only; every loop is bounded; everything
// it started is stopped by pid at the end.
//
//   node bench/attacks/connections.mjs            (about two minutes)
import { fork, spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { request } from 'node:http'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const ROOT = resolve(import.meta.dirname, '..', '..')
const QUIET_MS = 5_000
const ATTACK_MS = 75_000 // past the 60 s request timeout, so the slow bodies meet it
const AFTER_MS = 5_000
const SAMPLE_EVERY_MS = 250
const SAMPLE_TIMEOUT_MS = 5_000
const SLOW = 300
const PER_WORKER = 9_900
const WORKER_ADDRESSES = [
  ['127.0.1.1', '127.0.1.2'],
  ['127.0.1.3', '127.0.1.4'],
]

const sleep = (ms) => new Promise((done) => setTimeout(done, ms))

// --- an attacker process: holds up to PER_WORKER half-header sockets from its addresses ---------
if (process.argv[2] === 'worker') {
  const [, , , port, ...addresses] = process.argv
  const target = Math.floor(PER_WORKER / addresses.length)
  const stats = { open: 0, opened: 0, refused: 0, timedOut: 0, otherClose: 0, errors: 0 }
  const sockets = new Set()
  let stopping = false
  let budget = PER_WORKER * 12 // bounded: at most this many sockets over the whole run
  const openOne = (address) =>
    new Promise((done) => {
      if (stopping || budget-- <= 0) return done()
      const socket = connect({ host: '127.0.0.1', port: Number(port), localAddress: address })
      let received = ''
      let connectedAt = 0
      sockets.add(socket)
      socket.setEncoding('utf8')
      socket.on('data', (text) => (received += text))
      socket.on('error', () => stats.errors++)
      socket.once('connect', () => {
        connectedAt = Date.now()
        stats.open++
        stats.opened++
        socket.write('GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ')
        done()
      })
      socket.once('close', () => {
        sockets.delete(socket)
        if (!connectedAt) return done()
        stats.open--
        if (stopping) return
        if (received.startsWith('HTTP/1.1 408')) stats.timedOut++
        else if (received === '') stats.refused++
        else stats.otherClose++
        // Take its place again, as an attacker would (a refused one a little later).
        setTimeout(() => void openOne(address), received === '' ? 2_000 : 10)
      })
    })
  process.on('message', (message) => {
    if (message !== 'stop') return
    stopping = true
    for (const socket of sockets) socket.destroy()
    process.send({ final: stats }, () => process.exit(0))
  })
  setInterval(() => process.send({ stats }), 1_000).unref()
  for (const address of addresses) {
    // 200 connects at a time, so the server's accept backlog is not what refuses them.
    for (let i = 0; i < target && !stopping; i += 200) await Promise.all(Array.from({ length: Math.min(200, target - i) }, () => openOne(address)))
  }
  process.send({ stats, ready: true })
  await new Promise(() => undefined) // until 'stop'
}

// --- the run ---------------------------------------------------------------------------------
const dir = mkdtempSync(join(tmpdir(), 'kiroku-attack-connections-'))
const npx = spawn('npx', ['tsx', 'server/main.ts'], {
  cwd: ROOT,
  env: { ...process.env, HOST: '127.0.0.1', PORT: '0', KIROKU_DATA_DIR: join(dir, 'db'), DATABASE_URL: '' },
  stdio: ['ignore', 'pipe', 'pipe'],
})
let log = ''
npx.stdout.setEncoding('utf8').on('data', (text) => (log += text))
npx.stderr.setEncoding('utf8').on('data', (text) => (log += text))

async function started() {
  for (let i = 0; i < 600; i++) {
    const match = /kiroku server: (http:\/\/127\.0\.0\.1:\d+)/.exec(log)
    if (match) return match[1]
    if (npx.exitCode !== null) throw new Error(`the server exited: ${log}`)
    await sleep(100)
  }
  throw new Error(`the server did not start within 60 s: ${log}`)
}

/** npx runs tsx, which runs the server in a child process: the server is the descendant of npx that runs server/main.ts and was started last. */
function serverPid(root) {
  const children = new Map()
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8')
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)])
    } catch {
      // gone meanwhile
    }
  }
  const descendants = []
  const walk = (pid) => {
    for (const child of children.get(pid) ?? []) {
      descendants.push(child)
      walk(child)
    }
  }
  walk(root)
  const runsServer = (pid) => {
    try {
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')
      return args.some((arg) => arg.endsWith('server/main.ts')) && !args.some((arg) => arg.endsWith('/npx') || arg.endsWith('npx-cli.js'))
    } catch {
      return false
    }
  }
  return descendants.filter(runsServer).at(-1)
}

const openFiles = (pid) => readdirSync(`/proc/${pid}/fd`).length
const rssMb = (pid) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024

/** One request on a connection of its own, from 127.0.0.1; resolves with its status (0 on an error or no answer within SAMPLE_TIMEOUT_MS) and ms. */
function sample(base, path, headers = {}, method = 'GET', body) {
  return new Promise((done) => {
    const started = performance.now()
    let over = false
    const finish = (status) => {
      if (over) return
      over = true
      clearTimeout(timer)
      done({ status, ms: performance.now() - started })
    }
    const req = request(`${base}${path}`, { method, headers, agent: false, localAddress: '127.0.0.1' }, (response) => {
      response.resume()
      response.on('end', () => finish(response.statusCode))
      response.on('error', () => finish(0))
    })
    const timer = setTimeout(() => {
      finish(0)
      req.destroy()
    }, SAMPLE_TIMEOUT_MS)
    req.on('error', () => finish(0))
    req.end(body)
  })
}

const percentile = (values, p) => {
  if (!values.length) return NaN
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]
}

const children = []
let pid
try {
  const base = await started()
  pid = serverPid(npx.pid)
  if (!pid) throw new Error('could not find the server process under npx')
  const port = new URL(base).port
  console.log(`server ${base}, pid ${pid} (npx ${npx.pid}); ${/kiroku server: .*/.exec(log)[0]}`)
  console.log(`load average at start: ${readFileSync('/proc/loadavg', 'utf8').trim()} (a shared machine with ${readdirSync('/sys/devices/system/cpu').filter((n) => /^cpu\d+$/.test(n)).length} cores)`)

  const signup = await fetch(`${base}/api/auth/signup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'bystander@example.com', password: 'correct horse battery' }) })
  const cookie = signup.headers.get('set-cookie').split(';')[0]
  const cartId = randomUUID()
  await fetch(`${base}/api/sync/push`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie },
    body: JSON.stringify({ clientId: 'bystander', commits: [{ stream: `Cart$${cartId}`, expectedVersion: -1, events: [{ eventId: randomUUID(), type: 'Cart.ItemAdded', data: { cartId, itemId: 'sencha', quantity: 1, price: 1200 }, metadata: {} }] }] }),
  })

  const samples = { quiet: [], attack: [], after: [] }
  let phase = 'quiet'
  let peakFiles = 0
  let peakRss = 0
  let sampling = true
  const sampler = (async () => {
    while (sampling) {
      const at = performance.now()
      const [health, pull] = await Promise.all([sample(base, '/api/health'), sample(base, '/api/sync/pull?after=0', { cookie })])
      const files = openFiles(pid)
      const rss = rssMb(pid)
      peakFiles = Math.max(peakFiles, files)
      peakRss = Math.max(peakRss, rss)
      samples[phase].push({ health, pull, files, rss })
      await sleep(Math.max(0, SAMPLE_EVERY_MS - (performance.now() - at)))
    }
  })()

  await sleep(QUIET_MS)
  phase = 'attack'
  const attackStart = Date.now()
  const workerStats = WORKER_ADDRESSES.map(() => ({}))
  const finals = []
  for (const [i, addresses] of WORKER_ADDRESSES.entries()) {
    const worker = fork(import.meta.filename, ['worker', port, ...addresses], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    children.push(worker)
    worker.on('message', (message) => {
      if (message.stats) workerStats[i] = message.stats
      if (message.ready) console.log(`attacker ${worker.pid} (${addresses.join(', ')}) opened its sockets after ${((Date.now() - attackStart) / 1000).toFixed(1)} s: ${JSON.stringify(message.stats)}`)
      if (message.final) finals[i] = message.final
    })
  }

  // 300 bodies and 300 headers, a byte a second, from 127.0.2.x.
  const slow = []
  const slowOne = (kind, i) =>
    new Promise((done) => {
      const from = `127.0.2.${1 + (i % 200)}`
      const socket = connect({ host: '127.0.0.1', port: Number(port), localAddress: from })
      const opened = Date.now()
      let received = ''
      let timer
      socket.setEncoding('utf8')
      socket.on('data', (text) => (received += text))
      socket.on('error', () => undefined)
      const drip = (text) => {
        let at = 0
        const next = () => {
          if (socket.destroyed || at >= text.length) return
          socket.write(text[at++])
          timer = setTimeout(next, 1_000)
        }
        next()
      }
      socket.once('connect', () => {
        if (kind === 'body') {
          socket.write(`POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n`)
          drip('x'.repeat(1000))
        } else drip('GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ' + 'x'.repeat(1000))
      })
      const entry = { kind, closedAfterMs: undefined, answer: '' }
      slow.push(entry)
      socket.once('close', () => {
        clearTimeout(timer)
        entry.closedAfterMs = Date.now() - opened
        entry.answer = received.split('\r\n')[0]
        done()
      })
      entry.destroy = () => {
        clearTimeout(timer)
        socket.destroy()
      }
    })
  for (let i = 0; i < SLOW; i++) {
    void slowOne('body', i)
    void slowOne('header', i)
  }

  await sleep(ATTACK_MS)
  const slowAtEnd = ['body', 'header'].map((kind) => {
    const all = slow.filter((s) => s.kind === kind)
    const closed = all.filter((s) => s.closedAfterMs !== undefined)
    const times = closed.map((s) => s.closedAfterMs / 1000)
    const answers = Object.entries(closed.reduce((n, s) => ({ ...n, [s.answer || '(nothing)']: (n[s.answer || '(nothing)'] ?? 0) + 1 }), {}))
    const when = closed.length ? ` (after p50 ${percentile(times, 50).toFixed(1)} s, max ${Math.max(...times).toFixed(1)} s; answered ${answers.map(([a, n]) => `${n}× ${a}`).join(', ')})` : ''
    return `${kind === 'body' ? 'bodies' : 'headers'} at 1 byte/s: ${closed.length} of ${all.length} closed by the server within ${ATTACK_MS / 1000} s${when}; ${all.length - closed.length} still open`
  })
  for (const entry of slow) entry.destroy?.()
  await Promise.all(
    children.map(
      (worker) =>
        new Promise((done) => {
          worker.once('exit', done)
          worker.send('stop')
        }),
    ),
  )
  phase = 'after'
  await sleep(AFTER_MS)
  sampling = false
  await sampler

  const report = (name) => {
    const rows = samples[name]
    const line = (kind) => {
      const all = rows.map((row) => row[kind])
      const ok = all.filter((s) => s.status === 200)
      const failures = all.length - ok.length
      return `${kind} p50 ${percentile(ok.map((s) => s.ms), 50)?.toFixed(1)} ms, p95 ${percentile(ok.map((s) => s.ms), 95)?.toFixed(1)} ms, ${failures} of ${all.length} failed${failures ? ` (${[...new Set(all.filter((s) => s.status !== 200).map((s) => s.status))].join(', ')})` : ''}`
    }
    const files = rows.map((row) => row.files)
    const rss = rows.map((row) => row.rss)
    return `${name.padEnd(6)}: ${line('health')}; ${line('pull')}; server open files ${Math.min(...files)}–${Math.max(...files)}, VmRSS ${Math.min(...rss).toFixed(0)}–${Math.max(...rss).toFixed(0)} MB`
  }
  console.log(report('quiet'))
  console.log(report('attack'))
  console.log(report('after'))
  console.log(`peak: server open files ${peakFiles}, VmRSS ${peakRss.toFixed(0)} MB`)
  for (const line of slowAtEnd) console.log(line)
  for (const [i, stats] of finals.entries()) console.log(`attacker ${i + 1} (${WORKER_ADDRESSES[i].join(', ')}): ${JSON.stringify(stats ?? workerStats[i])} (opened: connected; refused: closed with nothing said; timedOut: 408)`)
  console.log(`load average at the end: ${readFileSync('/proc/loadavg', 'utf8').trim()}`)
} catch (error) {
  console.error(error)
  console.error(log)
  process.exitCode = 1
} finally {
  for (const worker of children) if (worker.exitCode === null) worker.kill('SIGKILL')
  if (pid) {
    try {
      process.kill(pid, 'SIGTERM')
    } catch {
      // already gone
    }
  }
  const exited = new Promise((done) => (npx.exitCode !== null ? done() : npx.once('exit', done)))
  await Promise.race([exited, sleep(12_000)])
  if (npx.exitCode === null) {
    if (pid) {
      try {
        process.kill(pid, 'SIGKILL')
      } catch {
        // already gone
      }
    }
    npx.kill('SIGKILL')
  }
  rmSync(dir, { recursive: true, force: true })
}
