// The built shop with 100,000 events stored, for the cold start (6) and devtools (7) entries of
// suite.mjs. Once per run: build the app (`build.app()`), serve it on 127.0.0.1, seed its own
// database `kiroku-shop` at its origin (bench/app-seed.ts, before the app first runs there), then
// let the app load once so its service worker installs and takes control. Every round after that
// is a returning user opening the app: a new page in the same persistent context (the service
// worker, its caches and the database as that user has them), closed at the end of the round.
// Both entries read the same seeded database: a cold start reads it and writes nothing, and the
// devtools only read, so every round of either sees the same log.
import { existsSync, mkdtempSync, rmSync, statSync, createReadStream } from 'node:fs'
import { createServer } from 'node:http'
import os from 'node:os'
import { dirname, extname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { waitForQuiet } from './quiet.mjs'

const benchDir = dirname(fileURLToPath(import.meta.url))
export const DATABASE = 'kiroku-shop' // src/main.tsx
export const EVENTS = 100_000
/** The current cart's stream: some tens of events, so a load restores the snapshot at 49 and replays the rest. */
export const CURRENT_CART_EVENTS = 62
const TIMEOUT = 60_000

const prepared = new Map()

/**
 * The seeded, served, once-loaded shop; the same promise for every entry of a run at one scale.
 * The growth run (--million) asks for each scale in turn: each gets its own server, so its own
 * origin (a fresh database, service worker and caches), seeded once.
 */
export function seededShop(context) {
  const scale = context.scale ?? 1
  if (!prepared.has(scale)) prepared.set(scale, prepare(context))
  return prepared.get(scale)
}

async function prepare({ browser, build, scale = 1, defer, log }) {
  const appDir = await build.app()
  const seedDir = mkdtempSync(join(os.tmpdir(), 'kiroku-bench-seed-'))
  defer(async () => rmSync(seedDir, { recursive: true, force: true }))
  const { build: viteBuild } = await import('vite')
  await viteBuild({
    root: benchDir,
    configFile: false,
    base: '/__bench/',
    logLevel: 'warn',
    build: { outDir: seedDir, emptyOutDir: true, target: 'es2022', reportCompressedSize: false, rollupOptions: { input: join(benchDir, 'app-seed.html') } },
  })
  const server = await serve(appDir, seedDir)
  defer(
    () =>
      new Promise((done) => {
        server.close(() => done())
        // The browser keeps connections open (its service worker's too); close() alone waits for them.
        server.closeAllConnections()
      }),
  )
  const origin = `http://127.0.0.1:${server.address().port}`

  const events = Math.max(1_000, Math.round(EVENTS * scale))
  log(`· seeding ${events.toLocaleString('en-US')} events into the shop's database at ${origin}`)
  const page = await browser.newPage()
  watchErrors(page, log)
  await page.goto(`${origin}/__bench/app-seed.html`)
  await page.waitForFunction(() => window.kirokuShopSeed !== undefined, null, { timeout: TIMEOUT })
  const seed = await page.evaluate((options) => window.kirokuShopSeed.seed(options), { database: DATABASE, events, currentCartEvents: CURRENT_CART_EVENTS })
  await page.close()
  log(
    `· seeded in ${(seed.ms / 1000).toFixed(1)} s: ${seed.carts.toLocaleString('en-US')} carts, ${seed.orders.toLocaleString('en-US')} orders ` +
      `(${seed.completedOrders} completed), the current cart ${seed.currentCart.events} events (snapshot at ${seed.currentCart.snapshotAt}, ${seed.currentCart.itemCount} items)`,
  )

  // The user's first visit: the service worker installs, precaches the app and takes control.
  const first = await openShop(browser, origin, seed, log)
  await first.page.evaluate(async () => {
    await navigator.serviceWorker.ready
    if (!navigator.serviceWorker.controller) {
      await new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }))
    }
  })
  await first.page.close()
  // What the bulk seed wrote is compacted before anything is timed (bench/quiet.mjs).
  const quiet = await waitForQuiet()
  log(`· the browser was ${quiet.quiet ? 'quiet' : 'still busy'} ${(quiet.ms / 1000).toFixed(0)} s after the seed`)
  return { origin, seed, open: (path = '/', until = 'interactive') => openShop(browser, origin, seed, log, path, until) }
}

/**
 * Opens the app in a new page and waits until the cart is interactive: an enabled "Add to cart"
 * button and the header's cart count showing the seeded cart's items (or, with `until: 'rows'`,
 * until the devtools' timeline shows rows). The page records, from its own navigation start
 * (performance.now()), when its DOM first shows each of these; nothing here sleeps.
 */
async function openShop(browser, origin, seed, log, path = '/', until = 'interactive') {
  const page = await browser.newPage()
  watchErrors(page, log)
  await page.addInitScript(watchReady, { itemCount: seed.currentCart.itemCount })
  await page.goto(`${origin}${path}`, { waitUntil: 'commit', timeout: TIMEOUT })
  await page.waitForFunction((mark) => window.__kirokuMarks?.[mark] !== undefined, until, { timeout: TIMEOUT, polling: 50 })
  const marks = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0]
    return {
      ...window.__kirokuMarks,
      responseEnd: nav?.responseEnd,
      domContentLoaded: nav?.domContentLoadedEventEnd,
      controlled: navigator.serviceWorker.controller !== null,
    }
  })
  return { page, marks }
}

/** Runs in the page before its own scripts (page.addInitScript). */
function watchReady({ itemCount }) {
  if (window.top !== window) return
  const marks = {}
  window.__kirokuMarks = marks
  const cartLabel = `Cart (${itemCount})`
  const check = () => {
    if (marks.interactive === undefined) {
      const add = [...document.querySelectorAll('button')].some((b) => !b.disabled && b.textContent.trim() === 'Add to cart')
      const count = [...document.querySelectorAll('nav a[href="#/cart"]')].some((a) => a.textContent.trim() === cartLabel)
      if (add && count) marks.interactive = performance.now()
    }
    if (marks.rows === undefined && document.querySelector('.kd-timeline__list .kd-row')) marks.rows = performance.now()
    // The devtools have read the whole log once for its event types.
    if (marks.types === undefined && document.querySelector('.kd-filters select[aria-busy="false"]')) marks.types = performance.now()
  }
  new MutationObserver(check).observe(document, { childList: true, subtree: true, characterData: true, attributes: true, attributeFilter: ['disabled', 'aria-busy'] })
}

function watchErrors(page, log) {
  page.on('pageerror', (error) => log('page error:', error))
  page.on('console', (message) => message.type() === 'error' && log('page console:', message.text()))
}

/** The built app at / (index.html for any path without a file, as `vite preview` does), the seeding page at /__bench/. */
function serve(appDir, seedDir) {
  const types = {
    '.html': 'text/html',
    '.js': 'text/javascript',
    '.css': 'text/css',
    '.json': 'application/json',
    '.webmanifest': 'application/manifest+json',
    '.svg': 'image/svg+xml',
    '.png': 'image/png',
    '.ico': 'image/x-icon',
  }
  const server = createServer((req, res) => {
    const pathname = decodeURIComponent(new URL(req.url, 'http://x').pathname)
    const [dir, rest] = pathname.startsWith('/__bench/') ? [seedDir, pathname.slice('/__bench'.length)] : [appDir, pathname]
    let path = join(dir, rest)
    if (!path.startsWith(dir)) return void res.writeHead(404).end()
    if (!existsSync(path) || !statSync(path).isFile()) {
      if (dir !== appDir || extname(rest)) return void res.writeHead(404).end()
      path = join(appDir, 'index.html')
    }
    res.writeHead(200, { 'Content-Type': types[extname(path)] ?? 'application/octet-stream', 'Cache-Control': 'no-cache' })
    createReadStream(path).pipe(res)
  })
  return new Promise((done) => server.listen(0, '127.0.0.1', () => done(server)))
}
