#!/usr/bin/env node
// Black-box attacks on spaces (issue 26): a fresh `server/main.ts` on PGlite in a temp folder, on a
// free loopback port, driven over HTTP only. One account makes spaces until refused, reaches for
// another account's space (pull, members, push, guessed ids, random invitation tokens), then fills
// its spaces with large events and holds live streams open on them, while a bystander pulls and
// pushes every 250 ms. Prints what was refused, the bystander's p50/p95 quiet and under attack,
// and the server's peak VmRSS. Every loop is bounded; the server is stopped by its pid.
//
//   node bench/attacks/spaces.mjs
import { spawn } from 'node:child_process'
import { Agent, request } from 'node:http'
import { randomBytes, randomUUID } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const ROOT = resolve(import.meta.dirname, '..', '..')
const PHASE_MS = Number(process.env.PHASE_MS ?? 10_000)
const dir = mkdtempSync(join(tmpdir(), 'kiroku-attack-'))
const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
  cwd: ROOT,
  env: { ...process.env, HOST: '127.0.0.1', PORT: '0', KIROKU_DATA_DIR: join(dir, 'db'), DATABASE_URL: '' },
  stdio: ['ignore', 'pipe', 'pipe'],
})
let log = ''
child.stdout.setEncoding('utf8').on('data', (text) => (log += text))
child.stderr.setEncoding('utf8').on('data', (text) => (log += text))

async function started() {
  for (let i = 0; i < 600; i++) {
    const match = /kiroku server: (http:\/\/127\.0\.0\.1:\d+)/.exec(log)
    if (match) return match[1]
    if (child.exitCode !== null) throw new Error(`the server exited: ${log}`)
    await new Promise((done) => setTimeout(done, 100))
  }
  throw new Error(`the server did not start within 60 s: ${log}`)
}

const base = await started()
const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024
const counts = (answers) => Object.entries(answers.reduce((all, a) => ({ ...all, [a]: (all[a] ?? 0) + 1 }), {})).map(([a, n]) => `${n} × ${a}`).join(', ')

async function call(user, method, path, body) {
  const response = await fetch(`${base}${path}`, { method, headers: { 'content-type': 'application/json', cookie: user.cookie }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) })
  const text = await response.text()
  const json = text ? JSON.parse(text) : null
  return { status: response.status, json, code: json?.error?.code }
}

// The bystander is another client: its own keep-alive connections (node:http), as a real device
// has, not fetch's pool that the attacker's connections (closed by the server after a 413) share.
const bystanderAgent = new Agent({ keepAlive: true, maxSockets: 2 })
function bystanderCall(user, method, path, body) {
  return new Promise((resolve, reject) => {
    const text = body === undefined ? undefined : JSON.stringify(body)
    const req = request(`${base}${path}`, { method, agent: bystanderAgent, headers: { cookie: user.cookie, ...(text === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }) } }, (res) => {
      let data = ''
      res.setEncoding('utf8').on('data', (chunk) => (data += chunk)).on('end', () => resolve({ status: res.statusCode, json: data ? JSON.parse(data) : null }))
    })
    req.on('error', reject)
    req.end(text)
  })
}

async function signup(email) {
  const response = await fetch(`${base}/api/auth/signup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: 'correct horse battery' }) })
  const { user } = await response.json()
  return { id: user.id, cookie: response.headers.get('set-cookie').split(';')[0] }
}

const item = (cartId, note = '') => ({ eventId: randomUUID(), type: 'Cart.ItemAdded', data: { cartId, itemId: 'sencha', quantity: 1, price: 1200 }, metadata: note ? { note } : {} })

const attacker = await signup(`attacker-${randomUUID()}@example.com`)
const victim = await signup(`victim-${randomUUID()}@example.com`)
const bystander = await signup(`bystander-${randomUUID()}@example.com`)
const victimSpace = (await call(victim, 'POST', '/api/spaces', { name: 'Private' })).json.space.id
const cartId = randomUUID()
await call(victim, 'POST', '/api/sync/push', { clientId: 'v', commits: [{ space: victimSpace, stream: `Cart$${cartId}`, expectedVersion: 'none', events: [item(cartId)] }] })

// 1. Spaces until refused.
const made = []
const creation = []
for (let i = 0; i < 120; i++) {
  const answer = await call(attacker, 'POST', '/api/spaces', { name: `hoard ${i}` })
  creation.push(answer.status === 201 ? '201' : `${answer.status} ${answer.code}`)
  if (answer.status === 201) made.push(answer.json.space.id)
}
console.log(`spaces made by one account, 120 asked: ${counts(creation)}`)

// 2. Reaching for another account's space.
const reach = []
reach.push(`pull ${(await call(attacker, 'GET', `/api/sync/pull?space=${victimSpace}`)).code}`)
reach.push(`members ${(await call(attacker, 'GET', `/api/spaces/${victimSpace}/members`)).code}`)
reach.push(`invite ${(await call(attacker, 'POST', `/api/spaces/${victimSpace}/invitations`, { role: 'editor' })).code}`)
const pushed = await call(attacker, 'POST', '/api/sync/push', { clientId: 'a', commits: [{ space: victimSpace, stream: `Cart$${cartId}`, expectedVersion: 'any', events: [item(cartId)] }] })
reach.push(`push ${pushed.json.results[0].reason}`)
const sameStream = await call(attacker, 'POST', '/api/sync/push', { clientId: 'a', commits: [{ stream: `Cart$${cartId}`, expectedVersion: 'any', events: [item(cartId)] }] })
reach.push(`push to its stream, personal ${sameStream.json.results[0].reason}`)
console.log(`another account's space: ${reach.join(', ')}`)
const guessed = []
for (let i = 0; i < 100; i++) guessed.push(String((await call(attacker, 'GET', `/api/sync/pull?space=${randomBytes(16).toString('base64url')}`)).status))
console.log(`pulls of 100 guessed space ids: ${counts(guessed)}`)
const tokens = []
for (let i = 0; i < 200; i++) tokens.push(String((await call(attacker, 'POST', `/api/invitations/${randomBytes(32).toString('base64url')}/accept`)).status))
console.log(`200 random invitation tokens accepted: ${counts(tokens)}`)

// 3. Fill its spaces with large events and hold live streams, while a bystander works.
const bystanderCart = randomUUID()
let bystanderVersion = -1
const samples = { quiet: { pull: [], push: [] }, attack: { pull: [], push: [] } }
let phase = 'quiet'
let sampling = true
let peak = rss()
const sampler = (async () => {
  while (sampling) {
    const started = performance.now()
    await bystanderCall(bystander, 'GET', '/api/sync/pull?after=0&limit=200')
    samples[phase].pull.push(performance.now() - started)
    const at = performance.now()
    const answer = await bystanderCall(bystander, 'POST', '/api/sync/push', { clientId: 'b', commits: [{ stream: `Cart$${bystanderCart}`, expectedVersion: bystanderVersion, events: [item(bystanderCart)] }] })
    if (answer.json?.results?.[0]?.status === 'accepted') bystanderVersion++
    samples[phase].push.push(performance.now() - at)
    peak = Math.max(peak, rss())
    await new Promise((done) => setTimeout(done, 250))
  }
})()
await new Promise((done) => setTimeout(done, PHASE_MS))
phase = 'attack'
const live = []
for (let i = 0; i < 25; i++) {
  const controller = new AbortController()
  const response = await fetch(`${base}/api/sync/live`, { headers: { cookie: attacker.cookie }, signal: controller.signal }).catch(() => null)
  live.push(response?.status ?? 'failed')
  if (response?.body) response.body.getReader().read().catch(() => undefined)
  live.controllers = [...(live.controllers ?? []), controller]
}
console.log(`live streams asked by the attacker (25): ${counts(live.map(String))}`)
const fill = []
const note = 'x'.repeat(200 * 1024)
const attackEnd = performance.now() + PHASE_MS
let round = 0
while (performance.now() < attackEnd && round < 2_000) {
  const space = made[round % made.length]
  const stream = randomUUID()
  const answers = await Promise.all(
    Array.from({ length: 4 }, () =>
      call(attacker, 'POST', '/api/sync/push', { clientId: 'a', commits: [{ space, stream: `Cart$${stream}`, expectedVersion: 'any', events: [item(stream, note), item(stream, note), item(stream, note), item(stream, note)] }] }).catch((error) => ({ status: 'failed', code: error.message })),
    ),
  )
  for (const answer of answers) fill.push(answer.status === 200 ? answer.json.results[0].reason ?? answer.json.results[0].status : `${answer.status} ${answer.code}`)
  round++
}
sampling = false
await sampler
for (const controller of live.controllers ?? []) controller.abort()
console.log(`pushes of ~800 KiB into its spaces for ${PHASE_MS / 1000} s: ${counts(fill)}`)

const quantile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN
}
for (const kind of ['pull', 'push']) {
  const [quiet, attack] = [samples.quiet[kind], samples.attack[kind]]
  const q95 = quantile(quiet, 0.95)
  const a95 = quantile(attack, 0.95)
  console.log(`bystander ${kind}: quiet p50 ${quantile(quiet, 0.5).toFixed(1)} ms p95 ${q95.toFixed(1)} ms (${quiet.length}); under attack p50 ${quantile(attack, 0.5).toFixed(1)} ms p95 ${a95.toFixed(1)} ms (${attack.length}); p95 ratio ${(a95 / q95).toFixed(2)}`)
}
console.log(`server VmRSS peak ${peak.toFixed(0)} MiB; server alive at the end: ${child.exitCode === null ? 'yes' : 'no'}`)
bystanderAgent.destroy()
child.kill('SIGTERM')
await new Promise((done) => child.once('exit', done))
rmSync(dir, { recursive: true, force: true })
