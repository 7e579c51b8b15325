// The sync journeys' parts: a real sync server process of their own (PGlite in a temp folder,
// serving the built dist/), which a test can stop and start again on the same port and folder;
// a signed-in device (a browser context on that server); what a person sees (cart lines, the
// sync indicator's name); and what the server stores, read through its HTTP API as the user.
import { spawn, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { cp, mkdtemp, readFile, readdir, rm, symlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, beforeEach, expect, type RunnerTask, type RunnerTestCase } from 'vitest'
import { emptyCart, evolveCart, productById, type CartChange, type CartState } from '../../src/domain'
import { useBrowser } from './browser'

const ROOT = resolve(import.meta.dirname, '..', '..')
const STOP_WITHIN_MS = 10_000
export const PASSWORD = 'correct horse battery'

// --- the server ---

export interface SyncServer {
  /** `http://127.0.0.1:<port>`, the same across restarts. */
  readonly base: string
  readonly port: number
  readonly dataDir: string
  /** Everything its processes wrote, for a failing test's message. */
  output(): string
  /** SIGTERM, and waits for the exit (at most 10 s). */
  stop(): Promise<void>
  /** Starts it again: the same folder, the same port. */
  start(): Promise<void>
  /** Stops it (if running) and deletes its folder. */
  dispose(): Promise<void>
}

interface Running {
  child: ChildProcess
  exited: Promise<void>
}

/**
 * The app as this test file found it: dist/ (as the e2e global setup built it), server/ and src/
 * copied into a temp folder, beside a link to node_modules. Its servers serve that copy, so
 * another run's build of dist/, or an edit to server/ or src/ in this working tree, does not
 * change what they serve and run halfway through the file.
 */
export async function appSnapshot(): Promise<{ root: string; dispose(): Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'kiroku-sync-e2e-app-'))
  for (let attempt = 1; ; attempt++) {
    await rm(join(root, 'dist'), { recursive: true, force: true })
    await cp(join(ROOT, 'dist'), join(root, 'dist'), { recursive: true }).catch(() => undefined)
    if (await isWholeBuild(join(root, 'dist'))) break
    // Caught another run's build halfway: look again in a moment.
    if (attempt === 30) throw new Error('dist/ has no complete build (index.html and the assets it names): run npm run build')
    await new Promise((r) => setTimeout(r, 2_000))
  }
  for (const part of ['server', 'src', 'package.json', 'tsconfig.json']) await cp(join(ROOT, part), join(root, part), { recursive: true })
  await symlink(join(ROOT, 'node_modules'), join(root, 'node_modules'), 'dir')
  return { root, dispose: () => rm(root, { recursive: true, force: true }) }
}

/** index.html is there, and so is every asset it and the scripts it loads name. */
async function isWholeBuild(dist: string): Promise<boolean> {
  const html = await readFile(join(dist, 'index.html'), 'utf8').catch(() => null)
  if (html === null) return false
  const assets = new Set((await readdir(join(dist, 'assets')).catch(() => [] as string[])).map((name) => `assets/${name}`))
  const named = new Set<string>()
  for (const text of [html, ...(await Promise.all([...assets].filter((a) => a.endsWith('.js')).map((a) => readFile(join(dist, a), 'utf8'))))])
    for (const [name] of text.matchAll(/assets\/[\w.-]+\.(?:js|css)/g)) named.add(name)
  return named.size > 0 && [...named].every((name) => assets.has(name))
}

/**
 * `node --import tsx server/main.ts` with HOST=127.0.0.1, a chosen PORT (0 the first time: the
 * port it got is kept for restarts) and KIROKU_DATA_DIR in a fresh temp folder. It serves dist/
 * when dist/index.html exists (server/config.ts): the project's, or `root`'s (see appSnapshot).
 *
 * `template`: a folder to copy the new one from (see `emptyDatabase`), so each test still has a
 * database of its own without paying for PGlite's initdb (seconds on a busy machine) every time.
 */
export async function startSyncServer({ template, root = ROOT }: { template?: string; root?: string } = {}): Promise<SyncServer> {
  const dataDir = join(await mkdtemp(join(tmpdir(), 'kiroku-sync-e2e-')), 'db')
  if (template) await cp(template, dataDir, { recursive: true })
  let text = ''
  let port = 0
  let current: Running | null = null

  const launch = async (): Promise<void> => {
    const env: NodeJS.ProcessEnv = { ...process.env, HOST: '127.0.0.1', PORT: String(port), KIROKU_DATA_DIR: dataDir }
    delete env.DATABASE_URL
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] })
    const from = text.length
    text += `[${new Date().toISOString()} pid ${child.pid} started on port ${port || 'any'}]\n`
    let gone = false
    const exited = new Promise<void>((done) =>
      child.once('exit', (code, signal) => {
        gone = true
        text += `[${new Date().toISOString()} pid ${child.pid} exit ${code ?? signal}]\n`
        done()
      }),
    )
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (text += chunk))
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (text += chunk))
    current = { child, exited }
    const deadline = Date.now() + 60_000
    for (;;) {
      if (gone) throw new Error(`the sync server exited before it was healthy:\n${text}`)
      if (Date.now() > deadline) {
        child.kill('SIGKILL')
        throw new Error(`the sync server was not healthy within 60 s:\n${text}`)
      }
      const listening = /kiroku server: http:\/\/127\.0\.0\.1:(\d+) /.exec(text.slice(from))
      if (listening) {
        port = Number(listening[1])
        const health = await fetch(`http://127.0.0.1:${port}/api/health`).catch(() => null)
        if (health?.status === 200) {
          if (text.slice(from).includes('serving dist/')) return
          child.kill('SIGKILL')
          throw new Error(`the sync server does not serve dist/ (is it built?):\n${text}`)
        }
      }
      // Polling its log and /api/health: a short pause between looks.
      await Promise.race([exited, new Promise((r) => setTimeout(r, 50))])
    }
  }

  const stop = async (): Promise<void> => {
    const running = current
    current = null
    if (!running || running.child.exitCode !== null || running.child.signalCode !== null) return
    text += `[${new Date().toISOString()} the test stops pid ${running.child.pid}]\n`
    running.child.kill('SIGTERM')
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), STOP_WITHIN_MS)))
    const result = await Promise.race([running.exited, late])
    clearTimeout(timer)
    if (result === 'late') {
      running.child.kill('SIGKILL')
      await running.exited
      throw new Error(`the sync server did not exit within ${STOP_WITHIN_MS} ms of SIGTERM:\n${text}`)
    }
  }

  try {
    await launch()
  } catch (error) {
    await rm(resolve(dataDir, '..'), { recursive: true, force: true })
    throw error
  }
  return {
    get base() {
      return `http://127.0.0.1:${port}`
    },
    get port() {
      return port
    },
    dataDir,
    output: () => text,
    stop,
    start: launch,
    async dispose() {
      await stop()
      await rm(resolve(dataDir, '..'), { recursive: true, force: true })
    },
  }
}

/** A migrated, empty server database: made once by a server that starts on it and stops. Returns its folder and its removal. */
export async function emptyDatabase(root?: string): Promise<{ dir: string; dispose(): Promise<void> }> {
  const server = await startSyncServer(root ? { root } : {})
  await server.stop()
  return { dir: server.dataDir, dispose: () => server.dispose() }
}

// --- devices: browser contexts on that server ---

export interface Device {
  context: BrowserContext
  page: Page
  /** What its pages printed (console and page errors), tagged with the device's name. */
  logs: string[]
}

/** A fresh profile on the server's origin, its console kept for reports. */
export async function newDevice(browser: Browser, server: SyncServer, name: string): Promise<Device> {
  const context = await browser.newContext({ baseURL: server.base, viewport: { width: 1100, height: 850 } })
  const logs: string[] = []
  const started = Date.now()
  context.on('page', (page) => listen(page, name, logs, started))
  const page = await context.newPage()
  await page.goto('/')
  await page.getByRole('heading', { level: 1 }).first().waitFor()
  return { context, page, logs }
}

/** Another tab of the device. */
export async function openTab(device: Device, path = '/'): Promise<Page> {
  const page = await device.context.newPage()
  await page.goto(path)
  await page.getByRole('heading', { level: 1 }).first().waitFor()
  return page
}

function listen(page: Page, name: string, logs: string[], started: number): void {
  const at = () => `${((Date.now() - started) / 1000).toFixed(1)}s`
  page.on('console', (message) => logs.push(`[${name} ${at()} ${message.type()}] ${message.text()}`))
  page.on('pageerror', (error) => logs.push(`[${name} ${at()} pageerror] ${error.message}`))
  page.on('worker', (worker) => worker.on('console', (message) => logs.push(`[${name} worker ${at()} ${message.type()}] ${message.text()}`)))
}

/** Signs up (or in) on the account screen; the page reloads into the account's database and syncs. */
export async function enter(device: Device, action: 'Sign up' | 'Sign in', email: string): Promise<void> {
  const { page } = device
  await page.goto('/#/account')
  await page.getByLabel('Email').fill(email)
  await page.getByLabel('Password').fill(PASSWORD)
  await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: action, exact: true }).click()])
  await page.getByRole('link', { name: `Signed in as ${email}` }).waitFor()
  await expectSync(page, 'Sync: synced')
}

export const syncIndicator = (page: Page) => page.getByRole('status', { name: /^Sync:/ })

/** The sync indicator's accessible name, "Sync: …". */
export const syncLabel = (page: Page): Promise<string | null> => syncIndicator(page).getAttribute('aria-label')

export async function expectSync(page: Page, label: string | RegExp, timeout = 15_000): Promise<void> {
  const check = expect.poll(() => syncLabel(page), { timeout, interval: 100 })
  await (typeof label === 'string' ? check.toBe(label) : check.toMatch(label))
}

// --- what a person sees ---

/** The cart's lines as shown on the cart screen: product name → quantity, in the screen's order. */
export type Lines = Record<string, number>

export async function shownLines(page: Page): Promise<Lines> {
  if (new URL(page.url()).hash !== '#/cart') await page.goto('/#/cart')
  await page.getByRole('heading', { name: 'Your cart' }).waitFor()
  return page.evaluate(() => {
    const lines: Record<string, number> = {}
    for (const row of document.querySelectorAll('table.cart-lines tbody tr')) {
      const name = row.querySelector('th')?.textContent ?? '?'
      lines[name] = Number(row.querySelector('input')?.value)
    }
    return lines
  })
}

/** Clicks "Add to cart" on the catalog for a product; waits until the card shows it counted. */
export async function add(page: Page, name: string): Promise<void> {
  if (!['', '#/'].includes(new URL(page.url()).hash)) await page.goto('/#/')
  const card = page.getByRole('listitem', { name })
  const before = Number(/(\d+) in your cart/.exec((await card.locator('.product-status').textContent()) ?? '')?.[1] ?? 0)
  await card.getByRole('button', { name: `Add to cart: ${name}` }).click()
  await card.getByText(`${before + 1} in your cart`).waitFor()
}

// --- what the server stores ---

export interface PulledEvent {
  position: number
  stream: string
  streamPosition: number
  eventId: string
  type: string
  data: Record<string, unknown>
  metadata: Record<string, unknown>
}

/** The `kiroku_session=…` cookie the context holds for the server. */
export async function sessionCookie(device: Device, server: SyncServer): Promise<string> {
  const cookie = (await device.context.cookies(server.base)).find((c) => c.name === 'kiroku_session')
  if (!cookie) throw new Error('the device holds no kiroku_session cookie')
  return `kiroku_session=${cookie.value}`
}

/** Every event of the cookie's user, pulled page by page from position 0. */
export async function pullAll(server: SyncServer, cookie: string): Promise<PulledEvent[]> {
  const events: PulledEvent[] = []
  for (let after = 0; ; ) {
    const response = await fetch(`${server.base}/api/sync/pull?after=${after}&limit=1000`, { headers: { cookie } })
    if (response.status !== 200) throw new Error(`pull answered ${response.status}: ${await response.text()}`)
    const body = (await response.json()) as { events: PulledEvent[]; head: number; hasMore: boolean }
    events.push(...body.events)
    if (!body.hasMore || body.events.length === 0) return events
    after = body.events.at(-1)!.position
  }
}

/** The user's current cart on the server: the cart the Shopper stream names last, replayed with the domain's own evolve. */
export function serverCart(events: readonly PulledEvent[]): { cartId: string | null; state: CartState; lines: Lines } {
  const started = events.filter((e) => e.type === 'Shopper.CartStarted').sort((a, b) => a.streamPosition - b.streamPosition)
  const cartId = (started.at(-1)?.data.cartId as string | undefined) ?? null
  let state = emptyCart()
  for (const event of events.filter((e) => e.stream === `Cart$${cartId}`).sort((a, b) => a.streamPosition - b.streamPosition))
    state = evolveCart(state, { type: event.type, data: event.data } as CartChange)
  return { cartId, state, lines: Object.fromEntries(state.lines.map((l) => [productById(l.itemId)?.name ?? l.itemId, l.quantity])) }
}

/** Ids that occur more than once. */
export const repeated = (ids: readonly string[]): string[] => [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))]

/** One stream membership, as `stream@position=eventId`: how devices and the server are compared. */
export type Membership = string

const SYNCED = /^(Cart|Order|Shopper)\$/

/** The server's memberships of synced streams, sorted. */
export const serverMemberships = (events: readonly PulledEvent[]): Membership[] => events.map((e) => `${e.stream}@${e.streamPosition}=${e.eventId}`).sort()

/** The device's memberships of synced streams (its account database, read in the page), sorted. */
export async function localMemberships(page: Page): Promise<Membership[]> {
  const rows = await page.evaluate(async () => {
    const { name } = (await indexedDB.databases()).find((d) => d.name?.startsWith('kiroku-shop~')) ?? {}
    if (!name) throw new Error('no account database on this device')
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open(name)
      open.onsuccess = () => resolve(open.result)
      open.onerror = () => reject(open.error)
    })
    try {
      const request = db.transaction('streams').objectStore('streams').getAll()
      return await new Promise<Array<{ stream: string; position: number; eventId: string }>>((resolve, reject) => {
        request.onsuccess = () => resolve(request.result as Array<{ stream: string; position: number; eventId: string }>)
        request.onerror = () => reject(request.error)
      })
    } finally {
      db.close()
    }
  })
  return rows.filter((r) => SYNCED.test(r.stream)).map((r) => `${r.stream}@${r.position}=${r.eventId}`).sort()
}

// --- the journeys' harness ---

export interface SyncJourneys {
  /** This test's own server. */
  readonly server: SyncServer
  /** A new device (browser context) on this test's server; closed after the test. */
  device(name: string): Promise<Device>
  /** One account on `count` devices: the first signs up, the others sign in; all say synced. */
  oneAccount(count: number): Promise<{ email: string; devices: Device[] }>
  /** Every page given and the server hold the same synced streams, event for event and position for position, and no event id twice. Returns the server's cart. */
  expectConverged(cookieOf: Device, ...pages: Page[]): Promise<ReturnType<typeof serverCart>>
}

export const newEmail = (): string => `shopper-${randomUUID().slice(0, 8)}@example.com`

/**
 * Call at the top of a test file: one browser and one snapshot of the app (see appSnapshot) for the
 * file; for each test a server process of its own on a fresh copy of an empty database (the next
 * test's starts while this one runs), devices that are closed after it, and, when it fails, what
 * the pages and the server printed.
 */
export function useSyncJourneys(): SyncJourneys {
  const browser = useBrowser()
  let app: { root: string; dispose(): Promise<void> } | undefined
  let template: { dir: string; dispose(): Promise<void> } | undefined
  let server: SyncServer | undefined
  let next: Promise<SyncServer> | undefined
  let devices: Device[] = []
  const fresh = () => startSyncServer({ template: template!.dir, root: app!.root })

  beforeAll(async () => {
    app = await appSnapshot()
    template = await emptyDatabase(app.root)
  })
  afterAll(async () => {
    await (await next?.catch(() => undefined))?.dispose()
    await template?.dispose()
    await app?.dispose()
  })
  beforeEach(async ({ task }) => {
    server = undefined
    const taken = next
    next = undefined
    server = await (taken ?? fresh())
    if (testsAfter(task) > 0) {
      next = fresh()
      next.catch(() => undefined)
    }
  })
  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail')
      console.log(`--- ${task.name}: what the pages printed ---\n${devices.flatMap((d) => d.logs).join('\n')}\n--- the server ---\n${server?.output()}`)
    await Promise.all(
      devices.map(async ({ context }) => {
        await context.unrouteAll({ behavior: 'ignoreErrors' }).catch(() => undefined)
        await context.close().catch(() => undefined)
      }),
    )
    devices = []
    await server?.dispose()
  })

  const journeys: SyncJourneys = {
    get server() {
      if (!server) throw new Error('No server: call this inside a test.')
      return server
    },
    async device(name) {
      const made = await newDevice(browser(), journeys.server, name)
      devices.push(made)
      return made
    },
    async oneAccount(count) {
      const email = newEmail()
      const first = await journeys.device('A')
      await enter(first, 'Sign up', email)
      const others: Device[] = []
      for (const name of ['B', 'C'].slice(0, count - 1)) {
        const other = await journeys.device(name)
        await enter(other, 'Sign in', email)
        others.push(other)
      }
      return { email, devices: [first, ...others] }
    },
    async expectConverged(cookieOf, ...pages) {
      const events = await pullAll(journeys.server, await sessionCookie(cookieOf, journeys.server))
      expect(repeated(events.map((e) => e.eventId))).toEqual([])
      const onServer = serverMemberships(events)
      for (const page of pages) expect(await localMemberships(page)).toEqual(onServer)
      return serverCart(events)
    },
  }
  return journeys
}

/** How many tests of the file run after this one (those left out by a filter do not count). */
function testsAfter(test: RunnerTestCase): number {
  const tests: RunnerTask[] = []
  const walk = (task: RunnerTask) => (task.type === 'test' ? tests.push(task) : task.type === 'suite' && task.tasks.forEach(walk))
  walk(test.file)
  const running = tests.filter((t) => t.mode === 'run')
  return running.length - 1 - running.indexOf(test)
}

export function promised(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void
  const promise = new Promise<void>((done) => (resolve = done))
  return { promise, resolve }
}

export const elapsed = (since: number): number => Date.now() - since
