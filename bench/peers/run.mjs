#!/usr/bin/env node
// `npm run bench:peers`: Kiroku beside the libraries people would pick instead (RxDB on its Dexie
// storage, PouchDB on its IndexedDB adapter, plain Dexie) and hand-written IndexedDB, on the same
// three workloads in one headless Chromium run (Debian's /usr/bin/chromium through playwright-core,
// a persistent profile so IndexedDB is on disk). Prints one table; a full run also writes
// bench/peers/results.json and the table in bench/peers/README.md. Asserts no timings: it fails
// only when a library computes a wrong answer (a wrong sum, an event out of order, a stale append
// accepted).
//
//   npm run bench:peers                      every library, every workload (a few minutes)
//   npm run bench:peers -- --only read       some workloads: command, read, catch-up
//   npm run bench:peers -- --peers kiroku,dexie
//   options: --scale X (the log's size: 100 streams × 1,000 events at 1)  --rounds X (multiplies the rounds)  --no-write
//
// runPeers(options) runs the same from another script (npm run bench -- --peers).
import { execFileSync } from 'node:child_process'
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createServer as createHttpServer } from 'node:http'
import os from 'node:os'
import { dirname, extname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'

const peersDir = dirname(fileURLToPath(import.meta.url))
const root = resolve(peersDir, '../..')
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']

export const PEER_IDS = ['kiroku', 'raw', 'dexie', 'rxdb', 'pouchdb']

/** The workloads, in the order they run (the commands last: they change the streams). */
export const WORKLOADS = [
  { id: 'read', label: (events, streams) => `read a 1,000-event stream (${streams} streams interleaved)`, rounds: 20, warmup: 1 },
  { id: 'catch-up', label: (events) => `catch up over ${events.toLocaleString('en-US')} events, pages of 500`, rounds: 5, warmup: 1, page: 500 },
  { id: 'command', label: () => 'command: read a version, append 1 event (checked)', rounds: 100, warmup: 10 },
]

/**
 * Runs the peers bench. Options: `peers` (ids, default all), `only` (workload ids), `scale` (the
 * log's size), `rounds` (multiplies each workload's rounds), `write` (results.json and the README
 * table, on a complete run only; default true), `log` (progress, default stderr).
 * Resolves with `{ rows, table, meta }`.
 */
export async function runPeers(options = {}) {
  const peers = options.peers ?? PEER_IDS
  const only = options.only
  const scale = options.scale ?? 1
  const roundsFactor = options.rounds ?? 1
  const log = options.log ?? ((...parts) => console.error(...parts))
  const unknown = [...peers.filter((id) => !PEER_IDS.includes(id)), ...(only ?? []).filter((id) => !WORKLOADS.some((w) => w.id === id))]
  if (unknown.length) throw new Error(`unknown peer or workload: ${unknown.join(', ')}`)
  const workloads = WORKLOADS.filter((w) => !only || only.includes(w.id))
  const streams = Math.max(4, Math.round(100 * scale))
  const startedAt = Date.now()
  const loadAtStart = loadAverage()
  const cleanups = []
  try {
    const { page, browserInfo } = await openPage(log, cleanups)
    const setup = await page.evaluate((options) => window.kirokuPeers.setup(options), { peers, streams })
    const samples = {}
    for (const workload of workloads) {
      const rounds = Math.max(1, Math.round(workload.rounds * roundsFactor))
      const started = Date.now()
      const args = { rounds, warmup: workload.warmup, page: workload.page }
      samples[workload.id] = await page.evaluate(
        ([id, args]) => (id === 'read' ? window.kirokuPeers.read(args) : id === 'catch-up' ? window.kirokuPeers.catchUp(args) : window.kirokuPeers.command(args)),
        [workload.id, args],
      )
      log(`· ${workload.id}: ${rounds} rounds after ${workload.warmup} warm-up, ${((Date.now() - started) / 1000).toFixed(1)} s`)
    }
    await page.evaluate(() => window.kirokuPeers.dispose())
    const rows = workloads.flatMap((workload) => summarise(workload, workload.label(setup.events, streams), samples[workload.id], setup.names))
    const table = renderTable(rows)
    const meta = {
      date: new Date().toISOString(),
      command: ['npm run bench:peers', ...(options.argv ?? [])].join(' ').trim(),
      events: setup.events,
      streams,
      seeding: Object.fromEntries(Object.entries(setup.seedMs).map(([id, ms]) => [id, { seedS: round1(ms / 1000), firstReadS: round1(setup.settleMs[id] / 1000) }])),
      versions: versions(),
      browser: browserInfo,
      durability: 'default (Chromium: relaxed since 121) for every library',
      machine: { ...machine(), loadAverageAtStart: loadAtStart, loadAverageAtEnd: loadAverage() },
      method: {
        rounds: Object.fromEntries(workloads.map((w) => [w.id, { warmup: w.warmup, rounds: Math.max(1, Math.round(w.rounds * roundsFactor)) }])),
        interleaving: 'every library on its own database, seeded once per run; each round runs every library once, one after another, their order rotated each round',
        statistics: 'median and p95 (nearest rank) over the measured rounds; × fastest = the median over the fastest median of the row',
      },
      seconds: Math.round((Date.now() - startedAt) / 1000),
    }
    const complete = !only && peers.length === PEER_IDS.length && scale === 1 && roundsFactor === 1
    if (complete && options.write !== false) {
      writeFileSync(join(peersDir, 'results.json'), `${JSON.stringify({ ...meta, rows }, null, 2)}\n`)
      updateReadme(table, meta)
      log('wrote bench/peers/results.json and the table in bench/peers/README.md')
    } else {
      log('(a partial or scaled run: bench/peers/results.json and README.md left as they were)')
    }
    return { rows, table, meta }
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((error) => log('cleanup failed:', error))
  }
}

async function openPage(log, cleanups) {
  const { build } = await import('vite')
  const { chromium } = await import('playwright-core')
  const pageDir = mkdtempSync(join(os.tmpdir(), 'kiroku-peers-page-'))
  cleanups.push(async () => rmSync(pageDir, { recursive: true, force: true }))
  log('· building the peers page')
  await build({
    root: peersDir,
    configFile: false,
    base: './',
    logLevel: 'warn',
    // RxDB pins a Dexie of its own (4.4.2), and two Dexies refuse to load in one page: its
    // storage runs on the app's Dexie (a patch release apart).
    resolve: { dedupe: ['dexie'] },
    build: { outDir: pageDir, emptyOutDir: true, target: 'es2022', reportCompressedSize: false, chunkSizeWarningLimit: 4096 },
  })
  const server = await serve(pageDir)
  cleanups.push(() => new Promise((done) => server.close(() => done())))
  // A persistent profile keeps IndexedDB on disk, as in a real browser; a fresh one every run.
  const profile = mkdtempSync(join(os.tmpdir(), 'kiroku-peers-profile-'))
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS })
  cleanups.push(async () => {
    await context.close()
    rmSync(profile, { recursive: true, force: true })
  })
  const page = context.pages()[0] ?? (await context.newPage())
  page.on('pageerror', (error) => log('page error:', error))
  page.on('console', (message) => {
    if (message.type() === 'error') log('page console:', message.text())
    else if (message.type() === 'log') log(`  ${message.text()}`)
  })
  await page.goto(`http://127.0.0.1:${server.address().port}/index.html`)
  await page.waitForFunction(() => window.kirokuPeers !== undefined)
  const info = await page.evaluate(() => window.kirokuPeers.info())
  const version = /[\d.]{5,}/.exec(execFileSync(CHROMIUM, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }))?.[0]
  log(`· Chromium ${version}${info.crossOriginIsolated ? ' (cross-origin isolated)' : ''}`)
  return { page, browserInfo: { name: 'Chromium (headless)', version, executable: CHROMIUM, flags: CHROMIUM_ARGS, persistentProfile: true, ...info } }
}

/** A static server for the built page, cross-origin isolated so performance.now() steps by 5 µs, not 100. */
function serve(dir) {
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json' }
  const server = createHttpServer((req, res) => {
    const path = join(dir, decodeURIComponent(new URL(req.url, 'http://x').pathname))
    if (!path.startsWith(dir) || !existsSync(path) || !statSync(path).isFile()) {
      res.writeHead(404).end()
      return
    }
    res.writeHead(200, {
      'Content-Type': types[extname(path)] ?? 'application/octet-stream',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cache-Control': 'no-store',
    })
    createReadStream(path).pipe(res)
  })
  return new Promise((done) => server.listen(0, '127.0.0.1', () => done(server)))
}

// ——— statistics and output ———

function quantile(values, q) {
  if (!values?.length) return null
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]
}

const round1 = (value) => Math.round(value * 10) / 10
const round3 = (value) => Math.round(value * 1000) / 1000

function summarise(workload, label, samples, names) {
  const rows = Object.entries(samples).map(([id, values]) => ({
    workload: workload.id,
    label,
    peer: id,
    library: names[id],
    median: quantile(values, 0.5),
    p95: quantile(values, 0.95),
    n: values.length,
    samples: values.map(round3),
  }))
  const fastest = Math.min(...rows.map((row) => row.median))
  for (const row of rows) {
    row.ratio = row.median / fastest
    row.fastest = row.median === fastest
  }
  return rows.sort((a, b) => a.median - b.median)
}

function fmtMs(ms) {
  const digits = ms < 10 ? 2 : ms < 100 ? 1 : 0
  return `${ms.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })} ms`
}

function renderTable(rows) {
  const header = ['workload', 'library', 'median', 'p95', '× fastest']
  const lines = rows.map((row, i) => [i > 0 && rows[i - 1].workload === row.workload ? '' : row.label, row.library, fmtMs(row.median), fmtMs(row.p95), `${row.ratio.toFixed(2)}×`])
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((line) => String(line[i]).length)))
  const cells = (line) => `| ${line.map((cell, i) => String(cell).padEnd(widths[i])).join(' | ')} |`
  return [cells(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(cells)].join('\n')
}

function versions() {
  const version = (name) => {
    const file = join(root, 'node_modules', name, 'package.json')
    return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')).version : null
  }
  return {
    kiroku: JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version,
    dexie: version('dexie'),
    rxdb: version('rxdb'),
    // RxDB pins a Dexie of its own; the page runs its storage on the app's (resolve.dedupe above).
    dexiePinnedByRxdb: version('rxdb/node_modules/dexie'),
    'pouchdb-core': version('pouchdb-core'),
    'pouchdb-adapter-indexeddb': version('pouchdb-adapter-indexeddb'),
  }
}

const loadAverage = () => os.loadavg().map((load) => Number(load.toFixed(2)))

function machine() {
  const cpus = os.cpus()
  return { cpu: cpus[0]?.model?.trim(), cores: cpus.length, memoryGiB: Math.round(os.totalmem() / 2 ** 30), os: `${os.type()} ${os.release()}`, node: process.version }
}

export function describe(meta) {
  const m = meta.machine
  const seeding = Object.entries(meta.seeding).map(([id, s]) => `${id} ${s.seedS} s`).join(', ')
  return [
    `${meta.browser.name} ${meta.browser.version} · durability ${meta.durability}`,
    `${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node} · load average ${m.loadAverageAtStart[0]} → ${m.loadAverageAtEnd[0]}`,
    `${meta.events.toLocaleString('en-US')} events seeded in bulk per library (untimed): ${seeding}`,
    `${meta.seconds} s · ${meta.command}`,
  ].join('\n')
}

function updateReadme(table, meta) {
  const file = join(peersDir, 'README.md')
  const start = '<!-- peers-results:start -->'
  const end = '<!-- peers-results:end -->'
  const text = readFileSync(file, 'utf8')
  const from = text.indexOf(start)
  const to = text.indexOf(end)
  if (from < 0 || to < from) throw new Error(`bench/peers/README.md lost its ${start} … ${end} markers`)
  const block = [start, '', `Ran ${meta.date.slice(0, 10)} with \`${meta.command}\` (${meta.seconds} s):`, '', table, '', '```', describe(meta), '```', '', end].join('\n')
  writeFileSync(file, text.slice(0, from) + block + text.slice(to + end.length))
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const { values: args } = parseArgs({
    options: { only: { type: 'string' }, peers: { type: 'string' }, scale: { type: 'string' }, rounds: { type: 'string' }, 'no-write': { type: 'boolean', default: false } },
  })
  const list = (value) => value?.split(',').map((s) => s.trim()).filter(Boolean)
  const { table, meta } = await runPeers({
    only: list(args.only),
    peers: list(args.peers),
    scale: args.scale === undefined ? 1 : Number(args.scale),
    rounds: args.rounds === undefined ? 1 : Number(args.rounds),
    write: !args['no-write'],
    argv: process.argv.slice(2),
  })
  console.log(`\n${table}\n`)
  console.log(describe(meta))
}
