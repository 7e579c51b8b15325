#!/usr/bin/env node
// `npm run bench`: Kiroku beside hand-written IndexedDB, in headless Chromium (Debian's
// /usr/bin/chromium through playwright-core, a persistent profile so IndexedDB is on disk), or
// with --node on fake-indexeddb for a quick check that every case still runs (its timings mean
// nothing). Prints one table; a full Chromium run also writes bench/results.json and the table
// in bench/README.md. Asserts no timings: it fails only when a case computes a wrong answer.
//
//   npm run bench                      the whole suite in Chromium (a few minutes)
//   npm run bench -- --node            the same cases on fake-indexeddb, scaled down
//   npm run bench -- --only load,8     some entries (case names, row ids or issue items)
//   options: --rounds N  --scale X  --durability default|relaxed|strict  --no-write
import { execFileSync } from 'node:child_process'
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createServer as createHttpServer } from 'node:http'
import os from 'node:os'
import { dirname, extname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { suite } from './suite.mjs'

const benchDir = dirname(fileURLToPath(import.meta.url))
const root = resolve(benchDir, '..')
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']

const { values: args } = parseArgs({
  options: {
    node: { type: 'boolean', default: false },
    only: { type: 'string' },
    rounds: { type: 'string' },
    scale: { type: 'string' },
    durability: { type: 'string', default: 'default' },
    'no-write': { type: 'boolean', default: false },
  },
})
const mode = args.node ? 'node' : 'chromium'
const scale = Number(args.scale ?? (args.node ? 0.05 : 1))
const durability = args.durability
if (!['default', 'relaxed', 'strict'].includes(durability)) throw new Error(`--durability must be default, relaxed or strict, not ${durability}`)
const only = args.only?.split(',').map((s) => s.trim())
const selected = suite.filter((entry) => !only || only.some((name) => name === entry.case || name === entry.item || entry.rows.some((row) => row.id === name || row.item === name)))
const log = (...parts) => console.error(...parts)

const cleanups = []
const startedAt = Date.now()
const loadAtStart = os.loadavg().map((load) => Number(load.toFixed(2)))

async function main() {
try {
  const env = mode === 'node' ? await nodeEnvironment() : await chromiumEnvironment()
  const results = {}
  const details = {}
  for (const entry of selected) {
    if (entry.case) Object.assign(results, await runCase(env, entry))
    else {
      log(`· ${entry.rows.map((row) => row.id).join(', ')}`)
      const rounds = args.rounds === undefined ? undefined : Number(args.rounds)
      const measured = await entry.measure({ browser: env.browser, build: env.build, root, rounds, scale, log, defer: (cleanup) => cleanups.push(cleanup) })
      Object.assign(results, measured.samples)
      Object.assign(details, measured.details)
    }
  }
  const rows = selected.flatMap((entry) => entry.rows.map((row) => summarise(entry, row, results)))
  judge(rows)
  const table = renderTable(rows)
  const meta = {
    date: new Date().toISOString(),
    command: ['npm run bench', ...process.argv.slice(2)].join(' '),
    mode,
    scale,
    durability: env.durability,
    browser: env.browserInfo,
    machine: machine(),
    method: {
      rounds: 'each entry: one warm-up round, then its rounds; every round on a fresh database',
      interleaving: 'Kiroku then the baseline, operation by operation (A B A B), sequentially',
      statistics: 'median and p95 (nearest rank) over every sample of the measured rounds; Kiroku/raw = ratio of medians',
    },
    seconds: Math.round((Date.now() - startedAt) / 1000),
  }
  console.log(`\n${table}\n`)
  console.log(describe(meta))
  const complete = !only && mode === 'chromium' && scale === 1 && !args['no-write']
  if (complete) {
    writeFileSync(join(benchDir, 'results.json'), `${JSON.stringify({ ...meta, rows, details }, null, 2)}\n`)
    updateReadme(table, meta)
    log('wrote bench/results.json and the table in bench/README.md')
  } else {
    log('(a partial, scaled or --node run: bench/results.json and bench/README.md left as they were)')
  }
} finally {
  for (const cleanup of cleanups.reverse()) await cleanup().catch((error) => log('cleanup failed:', error))
}
}

async function runCase(env, entry) {
  const rounds = Number(args.rounds ?? (mode === 'node' ? 2 : entry.rounds))
  const pooled = {}
  for (let round = 0; round <= rounds; round++) {
    const warmup = round === 0
    const options = { scale: scale * (warmup ? (entry.warmupScale ?? 1) : 1), durability }
    const started = Date.now()
    const { samples, notes = {} } = await env.run(entry.case, options)
    const phases = Object.entries(notes).filter(([key]) => key.endsWith('Ms')).map(([key, ms]) => `${key.slice(0, -2)} ${(ms / 1000).toFixed(1)} s`)
    log(`· ${entry.case} ${warmup ? 'warm-up' : `round ${round}/${rounds}`}: ${((Date.now() - started) / 1000).toFixed(1)} s${phases.length ? ` (${phases.join(', ')})` : ''}`)
    if (warmup) continue
    for (const [id, s] of Object.entries(samples)) {
      pooled[id] ??= { kiroku: [], raw: [] }
      pooled[id].kiroku.push(...s.kiroku)
      pooled[id].raw.push(...s.raw)
      if (s.events) pooled[id].events = s.events
    }
  }
  return pooled
}

// ——— environments ———

async function chromiumEnvironment() {
  const { build } = await import('vite')
  const { chromium } = await import('playwright-core')
  const pageDir = mkdtempSync(join(os.tmpdir(), 'kiroku-bench-page-'))
  cleanups.push(async () => rmSync(pageDir, { recursive: true, force: true }))
  log('· building the bench page')
  await build({ root: benchDir, configFile: false, base: './', logLevel: 'warn', build: { outDir: pageDir, emptyOutDir: true, target: 'es2022', reportCompressedSize: false } })
  const server = await serve(pageDir)
  cleanups.push(() => new Promise((done) => server.close(() => done())))
  // A persistent profile keeps IndexedDB on disk, as in a real browser; a fresh one every run.
  const profile = join(benchDir, 'profile')
  rmSync(profile, { recursive: true, force: true })
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS })
  cleanups.push(async () => {
    await context.close()
    rmSync(profile, { recursive: true, force: true })
  })
  const page = context.pages()[0] ?? (await context.newPage())
  page.on('pageerror', (error) => log('page error:', error))
  page.on('console', (message) => message.type() === 'error' && log('page console:', message.text()))
  await page.goto(`http://127.0.0.1:${server.address().port}/index.html`)
  await page.waitForFunction(() => window.kirokuBench !== undefined)
  const info = await page.evaluate(() => window.kirokuBench.info())
  // The user agent string says 156.0.0.0 (reduced); the executable knows its full version.
  const version = /[\d.]{5,}/.exec(execFileSync(CHROMIUM, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }))?.[0]
  info.timerResolutionMs = Number(info.timerResolutionMs.toFixed(4))
  log(`· Chromium ${version}, timer step ${info.timerResolutionMs.toFixed(3)} ms${info.crossOriginIsolated ? ' (cross-origin isolated)' : ''}`)
  return {
    browser: context,
    build: appBuilder(),
    durability: describeDurability(durability, 'chromium'),
    browserInfo: { name: 'Chromium (headless)', version, executable: CHROMIUM, flags: CHROMIUM_ARGS, persistentProfile: true, ...info },
    run: (id, options) => page.evaluate(([id, options]) => window.kirokuBench.run(id, options), [id, options]),
  }
}

async function nodeEnvironment() {
  await import('fake-indexeddb/auto')
  const { createServer } = await import('vite')
  const server = await createServer({ root: benchDir, configFile: false, logLevel: 'warn', appType: 'custom', server: { middlewareMode: true, hmr: false } })
  cleanups.push(() => server.close())
  const { cases } = await server.ssrLoadModule('/cases.ts')
  log(`· Node ${process.version}, fake-indexeddb, scale ${scale}: checks that the cases run; the timings mean nothing`)
  return {
    browser: null,
    build: appBuilder(),
    durability: describeDurability(durability, 'node'),
    browserInfo: { name: 'fake-indexeddb (Node)', version: JSON.parse(readFileSync(join(root, 'node_modules/fake-indexeddb/package.json'), 'utf8')).version },
    run: (id, options) => cases[id](options),
  }
}

/** Builds the app once, on demand, the way `npx vite build` does, into a temporary folder. */
function appBuilder() {
  let built
  return {
    app() {
      built ??= (async () => {
        const outDir = mkdtempSync(join(os.tmpdir(), 'kiroku-bench-app-'))
        cleanups.push(async () => rmSync(outDir, { recursive: true, force: true }))
        log('· building the app (npx vite build)')
        // A production build whatever this process runs as: --node's Vite dev server sets NODE_ENV=development.
        const env = { ...process.env, NODE_ENV: 'production' }
        execFileSync('npx', ['vite', 'build', '--outDir', outDir, '--emptyOutDir', '--manifest', '--logLevel', 'warn'], { cwd: root, env, stdio: ['ignore', 'ignore', 'inherit'] })
        return outDir
      })()
      return built
    },
  }
}

function describeDurability(requested, where) {
  if (where === 'node') return { requested, effective: 'n/a (fake-indexeddb keeps everything in memory)' }
  const effective = requested === 'default' ? 'relaxed (Chromium’s default since 121)' : requested
  return { requested, effective, note: 'Kiroku and the baseline use the same mode; seeding always uses relaxed' }
}

/** A static server for the built page, cross-origin isolated so performance.now() steps by 5 µs, not 100. */
function serve(dir) {
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.svg': 'image/svg+xml' }
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

// ——— statistics, goals, output ———

function quantile(values, q) {
  if (!values?.length) return null
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]
}

const round3 = (value) => Math.round(value * 1000) / 1000

function summarise(entry, row, results) {
  const s = results[row.id] ?? { kiroku: [], raw: [] }
  const stat = (values) => (values?.length ? { median: quantile(values, 0.5), p95: quantile(values, 0.95), n: values.length } : null)
  const kiroku = stat(s.kiroku)
  const raw = stat(s.raw)
  return {
    item: row.item ?? entry.item,
    id: row.id,
    label: row.label,
    unit: row.unit ?? 'ms',
    show: row.show ?? 'time',
    events: s.events,
    kiroku,
    raw,
    ratio: kiroku && raw ? kiroku.median / raw.median : null,
    goal: row.goal,
    samples: { kiroku: (s.kiroku ?? []).map(round3), raw: (s.raw ?? []).map(round3) },
  }
}

function judge(rows) {
  const byId = new Map(rows.map((row) => [row.id, row]))
  for (const row of rows) {
    const { goal, kiroku, ratio } = row
    if (!goal || !kiroku) {
      row.status = goal ? 'no data' : '—'
      continue
    }
    const missed = []
    if (goal.ratio !== undefined && !(ratio <= goal.ratio)) missed.push(`${fmtRatio(ratio)} > ${goal.ratio}×`)
    if (goal.notAbove) {
      const other = byId.get(goal.notAbove)?.kiroku
      if (other && !(kiroku.median <= other.median)) missed.push(`slower than ${goal.notAbove}`)
    }
    if (goal.p95 !== undefined && !(kiroku.p95 < goal.p95)) missed.push(`p95 ≥ ${goal.p95} ms`)
    if (goal.max !== undefined && !(kiroku.median < goal.max)) missed.push(`≥ ${goal.max} ${row.unit}`)
    row.status = missed.length ? `missed: ${missed.join('; ')}` : 'met'
  }
}

function goalText(row) {
  const { goal } = row
  if (!goal) return '—'
  const parts = []
  if (goal.ratio !== undefined) parts.push(`≤ ${goal.ratio}× raw`)
  if (goal.notAbove) parts.push(`≤ ${goal.notAbove}`)
  if (goal.p95 !== undefined) parts.push(`p95 < ${goal.p95} ms`)
  if (goal.max !== undefined) parts.push(`< ${goal.max} ${row.unit}`)
  return parts.join(', ')
}

const fmtRatio = (ratio) => (ratio === null ? '—' : `${ratio.toFixed(2)}×`)

function fmtValue(row, ms) {
  if (ms === null || ms === undefined) return '—'
  if (row.show === 'rate') return `${Math.round(row.events / (ms / 1000)).toLocaleString('en-US')} ev/s`
  if (row.unit !== 'ms') return `${ms.toFixed(1)} ${row.unit}`
  const digits = ms < 10 ? 2 : ms < 100 ? 1 : 0
  return `${ms.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })} ms`
}

function renderTable(rows) {
  const header = ['#', 'operation', 'Kiroku median', 'Kiroku p95', 'raw median', 'raw p95', 'Kiroku/raw', 'goal', 'status']
  const lines = rows.map((row) => [
    row.item,
    row.label,
    fmtValue(row, row.kiroku?.median),
    fmtValue(row, row.kiroku?.p95),
    fmtValue(row, row.raw?.median),
    fmtValue(row, row.raw?.p95),
    fmtRatio(row.ratio),
    goalText(row),
    row.status,
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((line) => String(line[i]).length)))
  const cells = (line) => `| ${line.map((cell, i) => String(cell).padEnd(widths[i])).join(' | ')} |`
  return [cells(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(cells)].join('\n')
}

function machine() {
  const cpus = os.cpus()
  return {
    cpu: cpus[0]?.model?.trim(),
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    // Other work on the machine skews every number; a run should start and end near zero here.
    loadAverageAtStart: loadAtStart,
    loadAverageAtEnd: os.loadavg().map((load) => Number(load.toFixed(2))),
  }
}

function describe(meta) {
  const m = meta.machine
  return [
    `${meta.browser.name} ${meta.browser.version} · durability ${meta.durability.requested} → ${meta.durability.effective}`,
    `${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node} · load average ${m.loadAverageAtStart[0]} → ${m.loadAverageAtEnd[0]}`,
    `${meta.seconds} s · ${meta.command}`,
  ].join('\n')
}

function updateReadme(table, meta) {
  const file = join(benchDir, 'README.md')
  const start = '<!-- latest-results:start -->'
  const end = '<!-- latest-results:end -->'
  const text = readFileSync(file, 'utf8')
  const from = text.indexOf(start)
  const to = text.indexOf(end)
  if (from < 0 || to < from) throw new Error(`bench/README.md lost its ${start} … ${end} markers`)
  const block = [start, '', `Ran ${meta.date.slice(0, 10)} with \`${meta.command}\` (${meta.seconds} s):`, '', table, '', '```', describe(meta), '```', '', end].join('\n')
  writeFileSync(file, text.slice(0, from) + block + text.slice(to + end.length))
}

await main()
