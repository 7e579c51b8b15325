// Item 3: live fan-out. Two server processes on one durable PostgreSQL cluster; device A (a Node
// HttpDevice) pushes one Cart.ItemAdded at a time through process 1; device B is the built app in
// Chromium, signed in to the same account through process 2, showing that cart. Each sample is
// the time from the start of A's push to the first moment B's page shows the new count in its
// header (a MutationObserver). Both ends on one clock: the page's (performance.timeOrigin + now)
// against Node's, their offset measured by round trips before and after (the shortest one wins).
import { randomUUID } from 'node:crypto'
import os from 'node:os'
import { Cart, Shopper, catalog } from '../../../src/domain'
import type { WireEvent } from '../../../src/sync/protocol'
import { syncChannelName } from '../../../src/sync/status'
import { HttpDevice, PASSWORD } from '../client'
import { latency, latencyText, ms, num, quantile, status } from '../stats'
import type { Section } from '../types'
import { appSnapshot, freshProfile, startAppServer } from '../browser/app'
import { watchFanOut, type FanOutMark } from '../browser/fanoutPage'
import type { Page } from 'playwright-core'

const nodeNow = () => performance.timeOrigin + performance.now()

/** page clock − Node clock, from the round trip with the least time in flight. */
async function clockOffset(page: Page): Promise<{ offset: number; error: number }> {
  let best = { offset: 0, error: Number.POSITIVE_INFINITY }
  for (let i = 0; i < 15; i++) {
    const before = nodeNow()
    const inPage = await page.evaluate(() => performance.timeOrigin + performance.now())
    const after = nodeNow()
    const error = (after - before) / 2
    if (error < best.error) best = { offset: inPage - (before + after) / 2, error }
  }
  return best
}

const event = (type: string, data: unknown): WireEvent => ({ eventId: randomUUID(), type, data, metadata: { correlationId: randomUUID(), timestamp: new Date().toISOString() } })

export const section: Section = {
  item: '3',
  title: 'Live fan-out (A pushes through process 1, the app in Chromium on process 2 shows it)',
  async run(context) {
    const { log, quick } = context
    const pushes = quick ? 10 : 100
    const cluster = await context.postgres()
    const snapshot = await appSnapshot(context.root, log)
    context.defer(() => snapshot.dispose())
    const one = await startAppServer(snapshot.root, cluster.url)
    context.defer(() => one.stop())
    const two = await startAppServer(snapshot.root, cluster.url)
    context.defer(() => two.stop())
    log(`app: ${snapshot.built}; process 1 ${one.base}, process 2 ${two.base}`)

    // The account and its current cart, made by A before B signs in.
    const email = `fanout-${randomUUID()}@bench.test`
    const a = await HttpDevice.signUp(one.base, email)
    const cartId = randomUUID()
    const started = await a.push([{ stream: `${Shopper.aggregateName}$${a.userId}`, expectedVersion: -1, events: [event('Shopper.CartStarted', { shopperId: a.userId, cartId, previousCartId: null })] }])
    if (started.results[0]?.status !== 'accepted') throw new Error(`starting the cart: ${JSON.stringify(started.results[0])}`)

    const b = await freshProfile()
    context.defer(() => b.close())
    await b.context.addInitScript({ content: watchFanOut })
    const page = await b.context.newPage()
    await page.goto(`${two.base}/#/account`)
    await page.getByLabel('Email').fill(email)
    await page.getByLabel('Password').fill(PASSWORD)
    await page.getByRole('button', { name: 'Sign in', exact: true }).click()
    await page.getByText(/Signed in as/).first().waitFor({ timeout: 60_000 })
    await page.evaluate(() => (location.hash = '#/'))
    await page.getByRole('button', { name: /Add to cart/ }).first().waitFor()
    await page.getByRole('status', { name: 'Sync: synced' }).first().waitFor({ timeout: 60_000 })

    await page.evaluate((name) => (window as unknown as { kirokuFanOut: { listen(name: string): void } }).kirokuFanOut.listen(name), syncChannelName(`kiroku-shop~${a.userId}`))
    const before = await clockOffset(page)
    const stages = { answered: [] as number[], headHeard: [] as number[], written: [] as number[], shown: [] as number[] }
    const samples: number[] = []
    const pushMs: number[] = []
    let version = -1
    for (let i = 0; i < pushes; i++) {
      const product = catalog[i % catalog.length]!
      const target = i + 1
      // The Shopper's CartStarted is position 1: this push's event will be target + 1.
      await page.evaluate(([n, head]) => (window as unknown as { kirokuFanOut: { arm(n: number, head: number): void } }).kirokuFanOut.arm(n, head), [target, target + 1] as const)
      const sentAt = nodeNow()
      const answer = await a.push([{ stream: `${Cart.aggregateName}$${cartId}`, expectedVersion: version, events: [event('Cart.ItemAdded', { cartId, itemId: product.id, quantity: 1, price: product.price })] }])
      pushMs.push(nodeNow() - sentAt)
      const result = answer.results[0]
      if (result?.status !== 'accepted') throw new Error(`push ${i}: ${JSON.stringify(result)}`)
      version = result.positions.at(-1)!
      const handle = await page
        .waitForFunction(() => (window as unknown as { kirokuFanOut: { mark(): FanOutMark } }).kirokuFanOut.mark().seenAt, null, { timeout: 30_000, polling: 20 })
        .catch(async (error: unknown) => {
          const seen = await page.evaluate(() => ({
            cart: (window as unknown as { kirokuFanOut: { cartText(): string | null } }).kirokuFanOut.cartText(),
            sync: document.querySelector('[role="status"]')?.getAttribute('aria-label'),
            url: location.href,
            text: document.body.innerText.slice(0, 600),
          }))
          throw new Error(`push ${i + 1}: B's page did not show Cart (${target}) within 30 s: ${JSON.stringify(seen)}`, { cause: error })
        })
      const seenAt = (await handle.jsonValue()) as number
      samples.push(seenAt - before.offset - sentAt)
      const mark = (await page.evaluate(() => (window as unknown as { kirokuFanOut: { mark(): FanOutMark } }).kirokuFanOut.mark())) as FanOutMark
      const at = (t: number | undefined) => (t === undefined ? Number.NaN : t - before.offset - sentAt)
      stages.answered.push(pushMs.at(-1)!)
      stages.headHeard.push(at(mark.headAt))
      stages.written.push(at(mark.cursorAt))
      stages.shown.push(at(mark.seenAt))
      // A shopper's pace, not a flood: each push on its own.
      await new Promise((r) => setTimeout(r, 100 + Math.floor(Math.random() * 100)))
    }
    const after = await clockOffset(page)
    const cartText = await page.evaluate(() => (window as unknown as { kirokuFanOut: { cartText(): string | null } }).kirokuFanOut.cartText())
    if (cartText !== `Cart (${pushes})`) throw new Error(`B shows ${cartText}, not Cart (${pushes})`)
    const l = latency(samples)
    const load = os.loadavg()
    const p50 = (values: number[]) => num(quantile(values.filter(Number.isFinite), 0.5))
    const breakdown = `push answered ${p50(stages.answered)}, head in the worker's status ${p50(stages.headHeard)}, pulled and written ${p50(stages.written)}, shown ${p50(stages.shown)} ms (p50s, from the push's start)`
    log(breakdown)
    log(`${pushes} pushes: ${latencyText(l)}; push ${latencyText(latency(pushMs))}; clock offset ${before.offset.toFixed(2)} ± ${before.error.toFixed(2)} → ${after.offset.toFixed(2)} ± ${after.error.toFixed(2)} ms; load ${load[0]!.toFixed(2)}`)
    return [
      {
        item: '3',
        id: 'fanout',
        label: `push on A (process 1) → B's page shows it (process 2), ${pushes} pushes`,
        engine: 'postgres',
        kiroku: latencyText(l),
        baseline: '—',
        ratio: '—',
        goal: 'p95 < 250 ms',
        status: status([[l.p95 < 250, `p95 ${ms(l.p95)}`]]),
        detail: { latency: l, samples, stages, breakdown, push: latency(pushMs), clock: { before, after }, load },
      },
    ]
  },
}
