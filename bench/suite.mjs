// What `npm run bench` measures: one entry per item of the benchmark issue, in table order.
//
// An entry either
//   - runs a `case` of the bench page (bench/cases.ts) for `rounds` rounds after a warm-up, each
//     round on a fresh database, Kiroku and the hand-written baseline interleaved, or
//   - `measure`s something itself on the Node side, given { browser, build, root, rounds, scale,
//     log, defer } (see run.mjs): what needs a built app, navigation or a cold page (cold start,
//     the devtools) goes here. `rounds` is --rounds when given; `defer` registers a cleanup.
// Each entry names the table rows it fills (a row may name its own issue item); a row's goal is
// what the issue asks of it. A label may be a function of the events stored ('100,000'), and
// `flat` is how much a row may grow over the growth run (--million: 10,000 → 1,000,000 stored).
// `growth: false` keeps a row that does not depend on the events stored out of the growth tables.
// A case entry may say `fresh` (each round in an origin of its own) and `warmup: false`.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { devtools, devtoolsRows } from './devtools.mjs'
import { seededShop } from './shop.mjs'

export const suite = [
  {
    item: '1',
    case: 'append',
    rounds: 5,
    rows: [
      { id: 'append-1', flat: 1.5, label: 'append, 1 event per transaction (checked)', goal: { ratio: 1.5 } },
      { id: 'append-10', flat: 1.5, label: 'append, 10 events per transaction', goal: { ratio: 1.2 } },
      { id: 'append-1000', flat: 1.5, label: 'append, 1,000 events per transaction', goal: { ratio: 1.2 } },
    ],
  },
  {
    item: '2',
    case: 'load',
    rounds: 5,
    rows: [
      { id: 'load-100', flat: 1.5, label: 'aggregate load, 100 events', goal: { ratio: 1.5 } },
      { id: 'load-1000', flat: 1.5, label: 'aggregate load, 1,000 events', goal: { ratio: 1.5 } },
      { id: 'load-10000', flat: 1.5, label: 'aggregate load, 10,000 events', goal: { ratio: 1.5 } },
      { id: 'load-10000-snapshot', flat: 1.5, label: 'aggregate load, 10,000 events from a snapshot', goal: { ratio: 1.5, notAbove: 'load-100' } },
    ],
  },
  {
    item: '3–5',
    case: 'log100k',
    rounds: 2,
    // With 1,000,000 stored a round's catch-up passes alone take minutes.
    roundsAtMillion: 1,
    // A whole 100,000-event round is a minute's work; a tenth of it warms up as well.
    warmupScale: 0.1,
    rows: [
      { item: '3', id: 'catch-up', label: (n) => `global catch-up, ${n} events in batches of 500`, goal: { ratio: 1.3 } },
      { item: '4', id: 'projection', label: (n) => `deferred projection, ${n} events`, show: 'rate', goal: null },
      { item: '4', id: 'projection-10k', label: 'deferred projection, catch-up of 10,000 events', goal: null },
      { item: '4', id: 'projection-queued-10k', label: 'the same, apply queues its write (library cost)', goal: null },
      { item: '4', id: 'projection-batch-10k', label: 'the same, applyBatch with one bulkPut a batch', goal: null },
      { item: '5', id: 'command-ui', label: (n) => `addItem → sync handler called, ${n} stored`, goal: { p95: 16 } },
    ],
  },
  {
    item: '6',
    measure: coldStart,
    rows: [{ id: 'cold-start', label: (n) => `cold start to an interactive cart, ${n} stored`, goal: { max: 1000 } }],
  },
  {
    item: '7',
    measure: devtools,
    // Its rows live beside the code that fills them.
    rows: devtoolsRows,
  },
  {
    item: '8',
    measure: initialJavaScript,
    rows: [{ id: 'initial-js', label: 'initial JavaScript of the built app', unit: 'KB', goal: { max: 150 } }],
  },
  {
    // Bytes on disk per event: one round (bytes do not jitter), in an origin holding nothing else.
    item: '9',
    case: 'storage',
    rounds: 1,
    warmup: false,
    fresh: true,
    rows: [{ id: 'storage-bytes', label: (n) => `bytes on disk per event, ${n} stored (raw: as JSON)`, unit: 'B', goal: null }],
  },
  {
    item: '9',
    case: 'durability',
    rounds: 2,
    rows: [
      { id: 'durable-append-default', growth: false, label: 'append, 1 event, durability default', goal: null },
      { id: 'durable-append-strict', growth: false, label: 'append, 1 event, durability strict', goal: null },
      { id: 'durable-command-default', growth: false, label: 'addItem until committed, durability default', goal: null },
      { id: 'durable-command-strict', growth: false, label: 'addItem until committed, durability strict', goal: null },
    ],
  },
]

/**
 * Builds the app (`npx vite build`, into a temporary folder) and adds up the gzip size of the
 * JavaScript its index.html loads before anything is imported lazily: the entry scripts, their
 * module preloads and, through Vite's manifest, every chunk they import statically.
 */
async function initialJavaScript({ build }) {
  const outDir = await build.app()
  const html = readFileSync(join(outDir, 'index.html'), 'utf8')
  const manifest = JSON.parse(readFileSync(join(outDir, '.vite', 'manifest.json'), 'utf8'))
  const byFile = new Map(Object.values(manifest).map((chunk) => [chunk.file, chunk]))
  const local = (url) => url.replace(/^\.?\//, '').split(/[?#]/)[0]
  const files = new Set()
  const visit = (file) => {
    if (!file.endsWith('.js') || files.has(file)) return
    files.add(file)
    for (const key of byFile.get(file)?.imports ?? []) visit(manifest[key].file)
  }
  for (const [, src] of html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g)) visit(local(src))
  for (const [tag] of html.matchAll(/<link\b[^>]*>/g)) {
    const href = /\bhref="([^"]+)"/.exec(tag)?.[1]
    if (/\brel="modulepreload"/.test(tag) && href) visit(local(href))
  }
  const inline = [...html.matchAll(/<script\b(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map(([, body]) => body).filter((body) => body.trim())
  const sizes = [...files].map((file) => ({ file, gzip: gzipSync(readFileSync(join(outDir, file))).length }))
  const bytes = sizes.reduce((sum, { gzip }) => sum + gzip, 0) + inline.reduce((sum, body) => sum + gzipSync(body).length, 0)
  return {
    samples: { 'initial-js': { kiroku: [bytes / 1000] } },
    details: { 'initial-js': { bytes, files: sizes, inlineScripts: inline.length } },
  }
}


/**
 * (6) A returning user opens the shop with 100,000 events stored: a new page of the built app,
 * timed in the page from its navigation start until the cart is interactive (an enabled "Add to
 * cart" and the header's count of the seeded cart's items). The database is seeded once per run
 * (bench/shop.mjs), since opening the app changes nothing in it.
 */
async function coldStart(context) {
  if (!context.browser) return skipped(context, 'cold-start')
  const shop = await seededShop(context)
  const rounds = context.rounds ?? 10
  const samples = []
  const perRound = []
  for (let round = 0; round <= rounds; round++) {
    const { page, marks } = await shop.open('/')
    await page.close()
    if (!marks.controlled) throw new Error('cold start: the page was not controlled by the service worker (not a returning user)')
    context.log(`· cold-start ${round === 0 ? 'warm-up' : `round ${round}/${rounds}`}: ${marks.interactive.toFixed(0)} ms`)
    if (round === 0) continue
    samples.push(marks.interactive)
    perRound.push(roundMarks(marks))
  }
  return { samples: { 'cold-start': { kiroku: samples } }, details: { 'cold-start': { seed: shop.seed, rounds: perRound } } }
}

export function roundMarks(marks) {
  return Object.fromEntries(Object.entries(marks).map(([key, value]) => [key, typeof value === 'number' ? round3(value) : value]))
}

export const round3 = (value) => Math.round(value * 1000) / 1000

export function skipped({ log }, ...ids) {
  log(`  (${ids.join(', ')}: needs the built app in Chromium; skipped with --node)`)
  return { samples: {}, details: {} }
}
