// (7) The devtools rows of `npm run bench`, over the shop seeded by bench/shop.mjs.
import { seededShop } from './shop.mjs'
import { roundMarks, round3, skipped } from './suite.mjs'

const TIMEOUT = 60_000

/** The rare type filtered by: about one order in 40 is completed (bench/app-seed.ts), 0.1 % of the log. */
const RARE = 'Order.Completed'

/** The rows of item 7, for suite.mjs. Goals: the issues' (first rows < 300 ms; filters < 150 ms and the type list < 100 ms at 1M). */
export const devtoolsRows = [
  { id: 'devtools-open', label: 'devtools opened in the shop → first rows', goal: { max: 300 } },
  // The type list's own wait: from the filter bar on screen (its type select mounted, still busy) to
  // the types listed in it, as a filter's rows are timed from the filter set. From the click, it
  // also holds the chunk and the panel's mount that the first-rows row holds.
  { id: 'devtools-types', label: 'devtools shown → event types listed', goal: { max: 100 } },
  { id: 'devtools-types-click', label: 'devtools opened in the shop → event types listed', goal: null },
  { id: 'devtools-page', label: 'devtools page loaded cold (/#/devtools) → first rows', goal: null },
  { id: 'devtools-filter', label: `type filter (${RARE}, ~0.1%) → first rows`, goal: { max: 150 } },
  { id: 'devtools-correlation', label: 'correlation id filter (the oldest checkout) → its rows', goal: { max: 150 } },
  { id: 'devtools-stream', label: 'stream filter (the oldest cart) → first rows', goal: { max: 150 } },
]

/**
 * (7) The devtools over the seeded shop, each round on fresh pages: opened from the shop (a click
 * on "Devtools page" once the cart is interactive and the page idle, until the timeline's first
 * rows are in the DOM: the lazy chunk, the panel and the newest page of the log; and until the
 * type filter lists the event types), then the page loaded cold at /#/devtools (navigation start
 * to first rows), and on that page, one after another with the filters cleared in between: the
 * rare type, the correlation id of the oldest checkout and the stream of the oldest cart, each
 * until its rows show (the newest first, checked against the seed). The oldest are the worst case
 * for a filter that reads the log backward: it would read nearly all of it.
 */
export async function devtools(context) {
  const ids = devtoolsRows.map((row) => row.id)
  if (!context.browser) return skipped(context, ...ids)
  const shop = await seededShop(context)
  const { seed } = shop
  const { oldest } = seed
  const rounds = context.rounds ?? 6
  const samples = Object.fromEntries(ids.map((id) => [id, []]))
  const perRound = []
  const filters = [
    { id: 'devtools-filter', set: { type: RARE }, expect: { type: RARE, first: seed.newest[RARE] } },
    { id: 'devtools-correlation', set: { correlationId: oldest.correlationId }, expect: { positions: oldest.correlationPositions } },
    { id: 'devtools-stream', set: { stream: oldest.stream }, expect: { stream: oldest.stream, first: oldest.streamNewest } },
  ]
  for (let round = 0; round <= rounds; round++) {
    const inShop = await shop.open('/')
    const opened = await inShop.page.evaluate(devtoolsStep, { step: 'open', timeout: TIMEOUT })
    await inShop.page.close()
    if (opened.first !== seed.head.position) throw new Error(`devtools: the first row is event ${opened.first}, not the newest (${seed.head.position})`)
    if (!opened.listedTypes.includes(RARE) || opened.listedTypes.length !== Object.keys(seed.types).length) {
      throw new Error(`devtools: the type filter lists ${opened.listedTypes.join(', ')}, not the ${Object.keys(seed.types).length} types stored`)
    }

    const cold = await shop.open('/#/devtools', 'rows')
    const marks = await cold.page.evaluate(() => window.__kirokuMarks)
    // A type is picked from the listed ones, as a person does.
    await cold.page.waitForFunction(
      (type) => [...document.querySelectorAll('.kd-filters select option')].some((option) => option.value === type),
      RARE,
      { timeout: TIMEOUT, polling: 50 },
    )
    const filtered = {}
    for (const { id, set, expect } of filters) {
      const result = await cold.page.evaluate(devtoolsStep, { step: 'filter', set, expect, timeout: TIMEOUT })
      const wanted = expect.positions ?? [expect.first]
      const shown = result.rows.map((row) => row.position)
      if (!wanted.every((position, i) => shown[i] === position) || (expect.positions && shown.length !== wanted.length)) {
        throw new Error(`devtools: the filter ${JSON.stringify(set)} showed events ${shown.slice(0, 5).join(', ')}…, not ${wanted.join(', ')}`)
      }
      filtered[id] = result.ms
      await cold.page.evaluate(devtoolsStep, { step: 'clear', timeout: TIMEOUT })
    }
    await cold.page.close()
    context.log(
      `· devtools ${round === 0 ? 'warm-up' : `round ${round}/${rounds}`}: opened ${opened.ms.toFixed(0)} ms (types ${opened.typesMs.toFixed(0)} ms, ${opened.typesShownMs.toFixed(0)} ms after the filter bar showed), ` +
        `cold page ${marks.rows.toFixed(0)} ms, filters: type ${filtered['devtools-filter'].toFixed(0)} ms, ` +
        `correlation ${filtered['devtools-correlation'].toFixed(0)} ms, stream ${filtered['devtools-stream'].toFixed(0)} ms`,
    )
    if (round === 0) continue
    samples['devtools-open'].push(opened.ms)
    samples['devtools-types'].push(opened.typesShownMs)
    samples['devtools-types-click'].push(opened.typesMs)
    samples['devtools-page'].push(marks.rows)
    for (const { id } of filters) samples[id].push(filtered[id])
    perRound.push({ openedMs: round3(opened.ms), typesMs: round3(opened.typesMs), typesShownMs: round3(opened.typesShownMs), coldPage: roundMarks(marks), filtersMs: Object.fromEntries(Object.entries(filtered).map(([id, ms]) => [id, round3(ms)])) })
  }
  return {
    samples: Object.fromEntries(Object.entries(samples).map(([id, values]) => [id, { kiroku: values }])),
    details: {
      'devtools-open': {
        events: seed.events,
        filterType: RARE,
        eventsOfType: seed.types[RARE],
        correlation: { id: oldest.correlationId, positions: oldest.correlationPositions },
        stream: { name: oldest.stream, events: oldest.streamEvents, newest: oldest.streamNewest },
        rounds: perRound,
      },
    },
  }
}

/**
 * Runs in the page: does one step of the devtools round and times it until the DOM shows its
 * result. `open`: a click on the shop's "Devtools page" link, until the timeline's first rows and
 * until the type filter has listed the event types (each timed). `filter`: sets filter fields as a
 * person would (`set`: stream, type, correlationId), until the timeline shows matching rows
 * (`expect`: every row of `type`, or in `stream`, or exactly the `positions`). `clear`: "Clear
 * filters", until the unfiltered rows are back.
 */
async function devtoolsStep({ step, set, expect, timeout }) {
  const list = () => document.querySelector('.kd-timeline__list')
  const rowsOf = () =>
    [...(list()?.querySelectorAll('.kd-row') ?? [])].map((row) => ({
      position: Number(row.querySelector('.kd-row__pos').textContent),
      type: row.querySelector('.kd-row__type').textContent,
      streams: row.querySelector('.kd-row__streams').textContent.split(' '),
    }))
  const typeSelect = () => document.querySelector('.kd-filters select')
  const typesListed = () => typeSelect()?.getAttribute('aria-busy') === 'false' && typeSelect().options.length > 1
  const field = (label) => {
    const found = [...document.querySelectorAll('.kd-filters label')].find((l) => l.textContent.trim() === label)
    return found && document.getElementById(found.htmlFor)
  }
  const times = {}
  let done
  let act
  if (step === 'open') {
    // The shop's foot: "For developers: the Devtools page".
    const link = [...document.querySelectorAll('a[href="#/devtools"]')].find((a) => a.textContent.trim() === 'Devtools page')
    if (!link) throw new Error('no "Devtools page" link')
    done = () => {
      if (times.shown === undefined && typeSelect()) times.shown = performance.now()
      if (times.rows === undefined && list()?.querySelector('.kd-row')) times.rows = performance.now()
      if (times.types === undefined && typesListed()) times.types = performance.now()
      return times.rows !== undefined && times.types !== undefined
    }
    act = () => link.click()
  } else if (step === 'filter') {
    const labels = { stream: 'Stream', type: 'Event type', correlationId: 'Correlation id' }
    const fits = (row) => (!expect.type || row.type === expect.type) && (!expect.stream || row.streams.some((s) => s.startsWith(`${expect.stream}@`)))
    // The label turns to "Matching events" a render before the new rows replace the old ones.
    done = () => {
      if (list()?.getAttribute('aria-label') !== 'Matching events, newest first') return false
      const rows = rowsOf()
      if (expect.positions) return rows.length === expect.positions.length && rows.every((row, i) => row.position === expect.positions[i])
      return rows.length > 0 && rows.every(fits)
    }
    act = () => {
      for (const [key, value] of Object.entries(set)) {
        const element = field(labels[key])
        if (!element) throw new Error(`no "${labels[key]}" filter`)
        // As typed or picked: React hears the native setter's value through the input/change event.
        const proto = element instanceof HTMLSelectElement ? HTMLSelectElement.prototype : HTMLInputElement.prototype
        Object.getOwnPropertyDescriptor(proto, 'value').set.call(element, value)
        element.dispatchEvent(new Event(element instanceof HTMLSelectElement ? 'change' : 'input', { bubbles: true }))
      }
    }
  } else {
    const clear = [...document.querySelectorAll('.kd-filters button')].find((b) => b.textContent.trim() === 'Clear filters')
    done = () => list()?.getAttribute('aria-label') === 'Events, newest first' && rowsOf().length > 0
    act = () => clear.click()
  }
  // Starts when the page is idle, as a person's click comes after the screen has settled.
  await new Promise((resolve) => requestIdleCallback(resolve, { timeout: 5_000 }))
  return new Promise((resolve, reject) => {
    const observer = new MutationObserver(() => {
      if (!done()) return
      const ms = performance.now() - started
      observer.disconnect()
      clearTimeout(guard)
      const rows = rowsOf()
      resolve({
        ms: times.rows === undefined ? ms : times.rows - started,
        typesMs: times.types === undefined ? null : times.types - started,
        typesShownMs: times.types === undefined || times.shown === undefined ? null : times.types - times.shown,
        first: rows[0]?.position,
        rows,
        listedTypes: [...(typeSelect()?.options ?? [])].map((option) => option.value).filter(Boolean),
      })
    })
    observer.observe(document, { childList: true, subtree: true, characterData: true, attributes: true, attributeFilter: ['aria-label', 'aria-busy'] })
    // A guard against a page that never gets there, not a wait: the result resolves this.
    const guard = setTimeout(() => {
      observer.disconnect()
      reject(new Error(`devtools ${step}: nothing showed within ${timeout} ms`))
    }, timeout)
    const started = performance.now()
    act()
  })
}
