// Item 2: a fresh device catches up. An account with 100,000 events (--quick: 10,000) pushed
// through the server (big valid pushes, every event checked by src/domain); the built app, served
// by a server process on a durable PostgreSQL cluster, signs in in a fresh persistent Chromium
// profile: from the click on Sign in, the time until the cart is interactive and until every event
// is local. Baseline in the same run and browser: a page of the same origin that fetches the same
// pull pages and writes each into IndexedDB by hand, one transaction a page.
import { randomUUID } from 'node:crypto'
import os from 'node:os'
import { catalog } from '../../../src/domain'
import { syncChannelName } from '../../../src/sync/status'
import { HttpDevice, PASSWORD } from '../client'
import { ms, num, ratioText, status } from '../stats'
import type { Section, SyncRow } from '../types'
import { appSnapshot, freshProfile, startAppServer } from '../browser/app'
import { pushHistory } from '../browser/history'
import { baselinePage, watchCatchUp, type CatchUpExpectation, type CatchUpMarks } from '../browser/catchupPages'

/** The engine's pull page (SyncEngine's default pullLimit): the baseline pulls the same pages. */
const PAGE = 500

export const section: Section = {
  item: '2',
  title: 'Fresh device catch-up (the built app in Chromium, PostgreSQL)',
  async run(context) {
    const { log, quick } = context
    const total = quick ? 10_000 : 100_000
    const cluster = await context.postgres()
    const snapshot = await appSnapshot(context.root, log)
    context.defer(() => snapshot.dispose())
    await snapshot.addPage('bench-catchup-baseline.html', baselinePage)
    const server = await startAppServer(snapshot.root, cluster.url)
    context.defer(() => server.stop())
    log(`app: ${snapshot.built}, server ${server.base} (pid ${server.pid})`)

    const email = `catchup-${randomUUID()}@bench.test`
    const device = await HttpDevice.signUp(server.base, email)
    const history = await pushHistory(device, total)
    const head = (await device.pull(0, 1)).head
    if (head !== history.events) throw new Error(`seeded ${history.events} events but the server's head is ${head}`)
    log(`seeded ${num(history.events)} events (${history.carts} carts, ${history.orders} orders, ${history.pushes} pushes) in ${ms(history.ms)}`)

    const names = new Map(catalog.map((p) => [p.id, p.name]))
    const expect: CatchUpExpectation = {
      head,
      itemCount: history.currentCart.itemCount,
      lines: Object.fromEntries(history.currentCart.lines.map((l) => [names.get(l.itemId) ?? l.itemId, l.quantity])),
      channel: syncChannelName(`kiroku-shop~${device.userId}`),
    }
    const timeout = quick ? 120_000 : 900_000

    // The baseline first, then the app, each in a fresh profile of its own.
    const baseline = await freshProfile()
    context.defer(() => baseline.close())
    const baselinePageTab = await baseline.context.newPage()
    await baselinePageTab.goto(`${server.base}/bench-catchup-baseline.html`)
    const hand = (await baselinePageTab.evaluate(
      `catchUp(${JSON.stringify({ email, password: PASSWORD, limit: PAGE, database: 'bench-catchup' })})`,
    )) as { ms: number; events: number; stored: number; pages: number; cursor: number; fetchMs: number; writeMs: number }
    await baseline.close()
    if (hand.stored !== head || hand.cursor !== head) throw new Error(`baseline: stored ${hand.stored} events, cursor ${hand.cursor}, head ${head}`)
    log(`baseline: ${ms(hand.ms)} (fetch ${ms(hand.fetchMs)}, write ${ms(hand.writeMs)}, ${hand.pages} pages)`)

    const app = await freshProfile()
    context.defer(() => app.close())
    await app.context.addInitScript({ content: watchCatchUp })
    const tab = await app.context.newPage()
    await tab.goto(`${server.base}/#/account`)
    await tab.getByLabel('Email').waitFor()
    await tab.evaluate((value) => sessionStorage.setItem('bench:expect', value), JSON.stringify(expect))
    await tab.getByLabel('Email').fill(email)
    await tab.getByLabel('Password').fill(PASSWORD)
    await tab.getByRole('button', { name: 'Sign in', exact: true }).click()
    await tab
      .waitForFunction(() => {
        const marks = (window as { kirokuCatchUp?: CatchUpMarks }).kirokuCatchUp
        return marks?.allLocalAt !== undefined && marks.interactiveAt !== undefined
      }, null, { timeout, polling: 500 })
      .catch(async (error: unknown) => {
        const seen = await tab.evaluate(() => ({
          marks: (window as { kirokuCatchUp?: CatchUpMarks }).kirokuCatchUp,
          sync: document.querySelector('[role="status"]')?.getAttribute('aria-label'),
          nav: [...document.querySelectorAll('a')].map((a) => a.textContent).join(' | '),
        }))
        throw new Error(`the app did not catch up (expected ${JSON.stringify(expect)}): ${JSON.stringify(seen).slice(0, 2000)}`, { cause: error })
      })
    const marks = (await tab.evaluate(() => (window as { kirokuCatchUp?: CatchUpMarks }).kirokuCatchUp)) as CatchUpMarks
    // Every event local: the log holds the account's head, each event once.
    const stored = await tab.evaluate(async (database) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const r = indexedDB.open(database)
        r.onsuccess = () => resolve(r.result)
        r.onerror = () => reject(r.error)
      })
      const count = await new Promise<number>((resolve, reject) => {
        const r = db.transaction('events').objectStore('events').count()
        r.onsuccess = () => resolve(r.result)
        r.onerror = () => reject(r.error)
      })
      db.close()
      return count
    }, `kiroku-shop~${device.userId}`)
    await app.close()
    if (stored !== head) throw new Error(`the app holds ${stored} events, the server ${head}`)
    const interactiveMs = marks.interactiveAt! - marks.signInAt
    const allLocalMs = marks.allLocalAt! - marks.signInAt
    const ratio = allLocalMs / hand.ms
    log(`app: interactive ${ms(interactiveMs)}, all local ${ms(allLocalMs)}; load ${os.loadavg()[0]!.toFixed(2)}`)

    const detail = { events: head, history, page: PAGE, baseline: hand, app: { interactiveMs, allLocalMs, cursors: marks.cursors }, load: os.loadavg() }
    const rows: SyncRow[] = [
      {
        item: '2',
        id: 'catchup-all-local',
        label: `fresh device, ${num(head)} events: all local`,
        engine: 'postgres',
        kiroku: ms(allLocalMs),
        baseline: ms(hand.ms),
        ratio: ratioText(ratio),
        goal: '≤ 1.3× the baseline',
        status: status([[ratio <= 1.3, `${ratioText(ratio)} the baseline`]]),
        detail,
      },
      {
        item: '2',
        id: 'catchup-interactive',
        label: `fresh device, ${num(head)} events: cart interactive`,
        engine: 'postgres',
        kiroku: ms(interactiveMs),
        baseline: '—',
        ratio: '—',
        goal: 'before all local',
        status: status([[interactiveMs < allLocalMs, `interactive ${ms(interactiveMs - allLocalMs)} after all local`]]),
        detail: { interactiveMs, allLocalMs },
      },
    ]
    return rows
  },
}
