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
//   npm run bench -- --million         the growth run: every entry at 10,000, 100,000 and
//                                      1,000,000 stored events (--scales 0.1,1,10), a table for
//                                      each and a growth table per row; writes bench/scale/results.json
//   npm run bench -- --peers           Kiroku beside RxDB, PouchDB, plain Dexie and raw IndexedDB on
//                                      the same three workloads (bench/peers/run.mjs, also npm run bench:peers)
//   options: --rounds N  --scale X  --scales X,Y,…  --durability default|relaxed|strict  --no-write
import { execFileSync } from 'node:child_process'
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createServer as createHttpServer } from 'node:http'
import os from 'node:os'
import { dirname, extname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { waitForQuiet } from './quiet.mjs'
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
    scales: { type: 'string' },
    million: { type: 'boolean', default: false },
    peers: { type: 'boolean', default: false },
    durability: { type: 'string', default: 'default' },
    'no-write': { type: 'boolean', default: false },
  },
})
const mode = args.node ? 'node' : 'chromium'
const scale = Number(args.scale ?? (args.node ? 0.05 : 1))
// The growth run: multipliers on the 100,000-event default, smallest first.
const scales = args.million || args.scales ? (args.scales ?? '0.1,1,10').split(',').map(Number).sort((a, b) => a - b) : null
if (scales?.some((x) => !(x > 0))) throw new Error(`--scales must be positive numbers, not ${args.scales}`)
const durability = args.durability
if (!['default', 'relaxed', 'strict'].includes(durability)) throw new Error(`--durability must be default, relaxed or strict, not ${durability}`)
const only = args.only?.split(',').map((s) => s.trim())
const selected = suite.filter((entry) => !only || only.some((name) => name === entry.case || name === entry.item || entry.rows.some((row) => row.id === name || row.item === name)))
const log = (...parts) => console.error(...parts)

const cleanups = []
const startedAt = Date.now()
const loadAtStart = os.loadavg().map((load) => Number(load.toFixed(2)))

async function main() {
if (args.peers) {
  // The peers have a runner of their own (their page, their libraries); --only, --scale and --rounds go to it.
  const { runPeers } = await import('./peers/run.mjs')
  const { table } = await runPeers({
    only: args.only?.split(',').map((s) => s.trim()),
    scale: args.scale === undefined ? undefined : Number(args.scale),
    rounds: args.rounds === undefined ? undefined : Number(args.rounds),
    write: !args['no-write'],
    argv: process.argv.slice(2).filter((arg) => arg !== '--peers'),
    log,
  })
  console.log(`\n${table}\n`)
  return
}
try {
  const env = mode === 'node' ? await nodeEnvironment() : await chromiumEnvironment()
  if (scales) return await growthRun(env)
  const { rows, details } = await runSuite(env, scale)
  const table = renderTable(rows)
  const meta = describeRun(env)
  console.log(`\n${table}\n`)
  printExtras(rows, details)
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
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch((error) => log('cleanup failed:', error))
}
}

/**
 * Every selected entry at one scale. `stored` (the growth run) makes the append, load and log
 * cases share one database of that many events across their rounds (cases.ts, storedFixture).
 */
async function runSuite(env, scale, stored) {
  const results = {}
  const details = {}
  const failed = new Map()
  for (const entry of selected) {
    try {
      if (entry.case) {
        const { samples, notes } = await runCase(env, entry, scale, stored)
        Object.assign(results, samples)
        if (notes.length) details[entry.case] = notes
      } else {
        log(`· ${entry.rows.map((row) => row.id).join(', ')}`)
        const rounds = args.rounds === undefined ? undefined : Number(args.rounds)
        const measured = await entry.measure({ browser: env.browser, build: env.build, root, rounds, scale, log, defer: (cleanup) => cleanups.push(cleanup) })
        Object.assign(results, measured.samples)
        Object.assign(details, measured.details)
      }
    } catch (error) {
      // The growth run goes on to the other rows and sizes; a wrong answer still fails the run (below).
      if (!scales) throw error
      log(`· ${entry.case ?? entry.rows.map((row) => row.id).join(', ')} failed:`, error)
      for (const row of entry.rows) failed.set(row.id, String(error?.message ?? error).split('\n')[0])
    }
  }
  const events = stored ?? Math.max(1, Math.round(100_000 * scale))
  const rows = selected.flatMap((entry) => entry.rows.map((row) => summarise(entry, row, results, events)))
  judge(rows)
  for (const row of rows) if (failed.has(row.id)) row.status = `failed: ${failed.get(row.id)}`
  return { rows, details }
}

/**
 * The growth run (--million, --scales): the whole selected suite once per scale, smallest first,
 * then per row how its medians grow with the events stored. Each scale seeds its own databases
 * once (the cases' shared log, the shop's origin), so 1,000,000 events are written twice, not
 * once a round.
 */
async function growthRun(env) {
  const runs = []
  for (const x of scales) {
    const stored = Math.round(100_000 * x)
    log(`— ${stored.toLocaleString('en-US')} events stored (scale ${x})`)
    const started = Date.now()
    const { rows, details } = await runSuite(env, x, stored)
    runs.push({ scale: x, stored, seconds: Math.round((Date.now() - started) / 1000), loadAverage: os.loadavg().map((load) => Number(load.toFixed(2))), rows, details })
    console.log(`\n${stored.toLocaleString('en-US')} events stored:\n\n${renderTable(rows)}\n`)
    printExtras(rows, details)
  }
  const growth = growthTables(runs)
  console.log(growth)
  const failures = runs.flatMap((run) => run.rows.filter((row) => row.status.startsWith('failed')).map((row) => `${run.stored} ${row.id}`))
  if (failures.length) process.exitCode = 1
  const meta = describeRun(env)
  console.log(describe(meta))
  if (!only && mode === 'chromium' && !args['no-write']) {
    mkdirSync(join(benchDir, 'scale'), { recursive: true })
    writeFileSync(join(benchDir, 'scale', 'results.json'), `${JSON.stringify({ ...meta, scales: runs }, null, 2)}\n`)
    const text = [`Ran ${meta.date.slice(0, 10)} with \`${meta.command}\` (${meta.seconds} s):`, '', growth.trim(), '', '```', describe(meta), '```'].join('\n')
    replaceBlock('<!-- growth-results:start -->', '<!-- growth-results:end -->', text)
    log('wrote bench/scale/results.json and the growth tables in bench/README.md')
  }
}

function describeRun(env) {
  return {
    date: new Date().toISOString(),
    command: ['npm run bench', ...process.argv.slice(2)].join(' '),
    mode,
    scale: scales ?? scale,
    durability: env.durability,
    browser: env.browserInfo,
    machine: machine(),
    method: {
      rounds: scales
        ? 'each entry: one warm-up round, then its rounds; the append, load and log cases share one database per scale, seeded once; the shop one origin per scale'
        : 'each entry: one warm-up round, then its rounds; every round on a fresh database',
      interleaving: 'Kiroku then the baseline, operation by operation (A B A B), sequentially',
      statistics: 'median and p95 (nearest rank) over every sample of the measured rounds; Kiroku/raw = ratio of medians',
    },
    seconds: Math.round((Date.now() - startedAt) / 1000),
  }
}

async function runCase(env, entry, scale, stored) {
  // `roundsAtMillion`: fewer rounds for an entry whose round is long with 1,000,000 stored.
  const standard = stored >= 1_000_000 && entry.roundsAtMillion ? entry.roundsAtMillion : entry.rounds
  const rounds = Number(args.rounds ?? (mode === 'node' ? Math.min(2, standard) : standard))
  const pooled = {}
  const notesPerRound = []
  // `fresh`: each round in a page of an origin of its own (a new port), holding nothing else.
  const run = entry.fresh ? env.runFresh : env.run
  for (let round = entry.warmup === false ? 1 : 0; round <= rounds; round++) {
    const warmup = round === 0
    // A warm-up may be smaller; on the growth run's shared database the stored events are what they are.
    const options = { scale: scale * (warmup ? (entry.warmupScale ?? 1) : 1), durability, warmup, ...(stored === undefined ? {} : { stored }) }
    const started = Date.now()
    const { samples, notes = {} } = await run(entry.case, options)
    const phases = Object.entries(notes).filter(([key]) => key.endsWith('Ms')).map(([key, ms]) => `${key.slice(0, -2)} ${(ms / 1000).toFixed(1)} s`)
    log(`· ${entry.case} ${warmup ? 'warm-up' : `round ${round}/${rounds}`}: ${((Date.now() - started) / 1000).toFixed(1)} s${phases.length ? ` (${phases.join(', ')})` : ''}`)
    // On the growth run a warm-up may have seeded the shared database: its compaction ends before the rounds.
    if (warmup && stored !== undefined && mode === 'chromium') {
      const quiet = await waitForQuiet()
      log(`· the browser was ${quiet.quiet ? 'quiet' : 'still busy'} ${(quiet.ms / 1000).toFixed(0)} s after the warm-up`)
    }
    if (warmup) continue
    if (Object.keys(notes).length) notesPerRound.push(Object.fromEntries(Object.entries(notes).map(([key, value]) => [key, round3(value)])))
    for (const [id, s] of Object.entries(samples)) {
      pooled[id] ??= { kiroku: [], raw: [] }
      pooled[id].kiroku.push(...s.kiroku)
      pooled[id].raw.push(...s.raw)
      if (s.events) pooled[id].events = s.events
    }
  }
  return { samples: pooled, notes: notesPerRound }
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
  // A folder of its own, so that two runs at once (or a run left behind) never share a profile.
  const profile = mkdtempSync(join(os.tmpdir(), 'kiroku-bench-profile-'))
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
    // A new origin (the same page on a new port) for one round, so navigator.storage.estimate() sees only it.
    async runFresh(id, options) {
      const fresh = await serve(pageDir)
      const other = await context.newPage()
      other.on('pageerror', (error) => log('page error:', error))
      try {
        await other.goto(`http://127.0.0.1:${fresh.address().port}/index.html`)
        await other.waitForFunction(() => window.kirokuBench !== undefined)
        return await other.evaluate(([id, options]) => window.kirokuBench.run(id, options), [id, options])
      } finally {
        await other.close()
        fresh.closeAllConnections()
        await new Promise((done) => fresh.close(() => done()))
      }
    },
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
    runFresh: (id, options) => cases[id](options),
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

function summarise(entry, row, results, events) {
  const s = results[row.id] ?? { kiroku: [], raw: [] }
  const stat = (values) => (values?.length ? { median: quantile(values, 0.5), p95: quantile(values, 0.95), n: values.length } : null)
  const kiroku = stat(s.kiroku)
  const raw = stat(s.raw)
  return {
    item: row.item ?? entry.item,
    id: row.id,
    // A label may name the events stored: a function of their count.
    label: typeof row.label === 'function' ? row.label(events.toLocaleString('en-US')) : row.label,
    unit: row.unit ?? 'ms',
    show: row.show ?? 'time',
    events: s.events,
    kiroku,
    raw,
    ratio: kiroku && raw ? kiroku.median / raw.median : null,
    goal: row.goal,
    ...(row.flat ? { flat: row.flat } : {}),
    ...(row.growth === false ? { growth: false } : {}),
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

/** What the storage and durability rows add up to, in words, after a table. */
function printExtras(rows, details) {
  const lines = []
  for (const notes of details.storage ?? []) {
    if (!Number.isFinite(notes.usageClosed)) continue // no navigator.storage (--node)
    const mb = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`
    lines.push(
      `storage: ${notes.events.toLocaleString('en-US')} events took ${((notes.usageClosed - notes.usageBefore) / notes.events).toFixed(1)} bytes on disk each ` +
        `(IndexedDB usage ${mb(notes.usageBefore)} → ${mb(notes.usageOpen)} seeded → ${mb(notes.usageClosed)} closed); as JSON an event row is ` +
        `${notes.jsonBytesPerEvent.toFixed(1)} bytes and its stream row ${notes.streamRowJsonBytesPerEvent.toFixed(1)}`,
    )
  }
  const byId = new Map(rows.map((row) => [row.id, row]))
  for (const [what, id] of [
    ['a 1-event append', 'durable-append'],
    ['the addItem command', 'durable-command'],
  ]) {
    const relaxed = byId.get(`${id}-default`)
    const strict = byId.get(`${id}-strict`)
    if (!relaxed?.kiroku || !strict?.kiroku) continue
    const side = (key) => `${fmtValue(relaxed, relaxed[key].median)} → ${fmtValue(strict, strict[key].median)} (${(strict[key].median / relaxed[key].median).toFixed(1)}×)`
    lines.push(`strict durability: ${what} ${side('kiroku')} for Kiroku, ${relaxed.raw && strict.raw ? side('raw') : '—'} by hand (medians, default → strict)`)
  }
  if (lines.length) console.log(`${lines.join('\n')}\n`)
}

/** Per row measured at more than one scale: its medians by events stored, and how they grew from the first. */
function growthTables(runs) {
  const first = runs[0]
  const last = runs.at(-1)
  const blocks = []
  for (const row of last.rows) {
    if (row.growth === false) continue
    const series = runs.map((run) => ({ run, row: run.rows.find((r) => r.id === row.id) })).filter(({ row }) => row?.kiroku)
    if (series.length < 2) continue
    const base = series[0].row.kiroku.median
    const header = ['stored', 'Kiroku median', 'Kiroku p95', 'raw median', 'Kiroku/raw', `Kiroku ÷ at ${series[0].run.stored.toLocaleString('en-US')}`, 'status']
    const lines = series.map(({ run, row: r }) => [
      run.stored.toLocaleString('en-US'),
      fmtValue(r, r.kiroku.median),
      fmtValue(r, r.kiroku.p95),
      fmtValue(r, r.raw?.median),
      fmtRatio(r.ratio),
      `${(r.kiroku.median / base).toFixed(2)}×`,
      r.status,
    ])
    const widths = header.map((h, i) => Math.max(h.length, ...lines.map((line) => String(line[i]).length)))
    const cells = (line) => `| ${line.map((cell, i) => String(cell).padEnd(widths[i])).join(' | ')} |`
    let title = `${row.item} · ${row.id} · ${row.label} · goal ${goalText(row)}`
    if (row.flat) {
      const growth = series.at(-1).row.kiroku.median / base
      const span = `${series[0].run.stored.toLocaleString('en-US')} → ${series.at(-1).run.stored.toLocaleString('en-US')} stored`
      title += ` · must stay flat (≤ ${row.flat}× over ${span}): ${growth.toFixed(2)}×, ${growth <= row.flat ? 'met' : 'missed'}`
    }
    blocks.push([title, cells(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(cells)].join('\n'))
  }
  return `Growth with the events stored (${first.stored.toLocaleString('en-US')} → ${last.stored.toLocaleString('en-US')}):\n\n${blocks.join('\n\n')}\n`
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
  replaceBlock('<!-- latest-results:start -->', '<!-- latest-results:end -->', [`Ran ${meta.date.slice(0, 10)} with \`${meta.command}\` (${meta.seconds} s):`, '', table, '', '```', describe(meta), '```'].join('\n'))
}

/** Replaces what bench/README.md holds between two markers. */
function replaceBlock(start, end, body) {
  const file = join(benchDir, 'README.md')
  const text = readFileSync(file, 'utf8')
  const from = text.indexOf(start)
  const to = text.indexOf(end)
  if (from < 0 || to < from) throw new Error(`bench/README.md lost its ${start} … ${end} markers`)
  writeFileSync(file, text.slice(0, from) + [start, '', body, '', end].join('\n') + text.slice(to + end.length))
}

// Stopped (Ctrl-C, kill): close the browser and the servers and remove the temporary folders first.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, async () => {
    log(`· ${signal}: cleaning up`)
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined)
    process.exit(130)
  })
}

await main()
