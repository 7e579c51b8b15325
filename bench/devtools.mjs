// (7) The devtools rows of `npm run bench`, over the shop seeded by bench/shop.mjs.
import { seededShop } from './shop.mjs'
import { roundMarks, round3, skipped } from './suite.mjs'

const TIMEOUT = 60_000

/**
 * (7) The devtools over the same 100,000 events, each round on fresh pages: opened from the shop
 * (a click on "Devtools page" once the cart is interactive and the page idle, until the timeline's first rows are
 * in the DOM: the lazy chunk, the panel and the newest page of the log), the page loaded cold
 * at /#/devtools (navigation start to first rows), then on that page, once the event types are
 * listed, a type filter for a rare type until its first matching rows show.
 */
export async function devtools(context) {
  if (!context.browser) return skipped(context, 'devtools-open', 'devtools-page', 'devtools-filter')
  const shop = await seededShop(context)
  const { seed } = shop
  const rare = 'Order.Completed'
  const rounds = context.rounds ?? 6
  const samples = { 'devtools-open': [], 'devtools-page': [], 'devtools-filter': [] }
  const perRound = []
  for (let round = 0; round <= rounds; round++) {
    const inShop = await shop.open('/')
    const opened = await inShop.page.evaluate(devtoolsStep, { step: 'open', timeout: TIMEOUT })
    await inShop.page.close()
    if (opened.first !== seed.head.position) throw new Error(`devtools: the first row is event ${opened.first}, not the newest (${seed.head.position})`)

    const cold = await shop.open('/#/devtools', 'rows')
    await cold.page.waitForFunction(
      (type) =>
        window.__kirokuMarks.types !== undefined &&
        document.querySelector('.kd-timeline__list')?.getAttribute('aria-busy') === 'false' &&
        [...document.querySelectorAll('.kd-filters select option')].some((option) => option.value === type),
      rare,
      { timeout: TIMEOUT, polling: 50 },
    )
    const marks = await cold.page.evaluate(() => window.__kirokuMarks)
    const filtered = await cold.page.evaluate(devtoolsStep, { step: 'filter', type: rare, timeout: TIMEOUT })
    await cold.page.close()
    if (filtered.types.some((type) => type !== rare) || filtered.first !== seed.newest[rare]) {
      throw new Error(`devtools: filtering by ${rare} showed ${filtered.types.join(', ')} from event ${filtered.first}, not the newest ${rare} (${seed.newest[rare]})`)
    }
    context.log(
      `· devtools ${round === 0 ? 'warm-up' : `round ${round}/${rounds}`}: opened ${opened.ms.toFixed(0)} ms, ` +
        `cold page ${marks.rows.toFixed(0)} ms, types listed at ${marks.types.toFixed(0)} ms, filter ${filtered.ms.toFixed(0)} ms`,
    )
    if (round === 0) continue
    samples['devtools-open'].push(opened.ms)
    samples['devtools-page'].push(marks.rows)
    samples['devtools-filter'].push(filtered.ms)
    perRound.push({ openedMs: round3(opened.ms), coldPage: roundMarks(marks), filterMs: round3(filtered.ms), filterRows: filtered.types.length })
  }
  return {
    samples: Object.fromEntries(Object.entries(samples).map(([id, values]) => [id, { kiroku: values }])),
    details: { 'devtools-open': { filterType: rare, eventsOfType: seed.types[rare], rounds: perRound } },
  }
}

/**
 * Runs in the page: does one step of the devtools round and times it until the DOM shows its
 * result. `open`: a click on the shop's "Devtools page" link, until the timeline's first rows.
 * `filter`: picks an event type, until the timeline shows matching rows.
 */
async function devtoolsStep({ step, type, timeout }) {
  const list = () => document.querySelector('.kd-timeline__list')
  const rowsOf = () => [...list().querySelectorAll('.kd-row')].map((row) => ({ position: Number(row.querySelector('.kd-row__pos').textContent), type: row.querySelector('.kd-row__type').textContent }))
  let find
  let act
  if (step === 'open') {
    const link = document.querySelector('nav a[href="#/devtools"]')
    if (!link) throw new Error('no "Devtools page" link')
    find = () => list()?.querySelector('.kd-row')
    act = () => link.click()
  } else {
    const select = document.querySelector('.kd-filters select')
    // The label turns to "Matching events" a render before the new rows replace the old ones.
    find = () => list()?.getAttribute('aria-label') === 'Matching events, newest first' && rowsOf().length > 0 && rowsOf().every((row) => row.type === type)
    act = () => {
      select.value = type
      select.dispatchEvent(new Event('change', { bubbles: true }))
    }
  }
  // Starts when the page is idle, as a person's click comes after the screen has settled.
  await new Promise((resolve) => requestIdleCallback(resolve, { timeout: 5_000 }))
  return new Promise((resolve, reject) => {
    const observer = new MutationObserver(() => {
      if (!find()) return
      const ms = performance.now() - started
      observer.disconnect()
      clearTimeout(guard)
      const rows = rowsOf()
      resolve({ ms, first: rows[0].position, types: rows.map((row) => row.type) })
    })
    observer.observe(document, { childList: true, subtree: true, characterData: true, attributes: true, attributeFilter: ['aria-label'] })
    // A guard against a page that never gets there, not a wait: the result resolves this.
    const guard = setTimeout(() => {
      observer.disconnect()
      reject(new Error(`devtools ${step}: nothing showed within ${timeout} ms`))
    }, timeout)
    const started = performance.now()
    act()
  })
}
