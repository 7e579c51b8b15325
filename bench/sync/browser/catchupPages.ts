// The catch-up bench's two sides in the page. `watchCatchUp` is an init script for the app's page:
// from the moment the Sign in button is clicked (kept in sessionStorage across the reload that
// signing in makes) it notes, on the page's clock (performance.timeOrigin + now), when the cart is
// interactive (every "Add to cart" enabled, the header's "Cart (N)" and each line's "q in your
// cart" as the account's current cart has them) and when the sync cursor, heard on the sync
// channel as the worker announces it, reaches the account's head. `baselinePage` is the hand-made
// catch-up: the same pull pages, each bulk-written by raw IndexedDB in one transaction into the
// stores and indexes Kiroku keeps (the log with its unique eventId index, stream membership keyed
// by [stream+position] with its eventId index, and the cursor beside them).

export interface CatchUpExpectation {
  /** The account's head: every event is local once the cursor is here. */
  head: number
  itemCount: number
  /** Product name → quantity, for the catalog's "q in your cart". */
  lines: Record<string, number>
  channel: string
}

export interface CatchUpMarks {
  signInAt: number
  interactiveAt?: number
  allLocalAt?: number
  /** Cursor values heard, with their times (for the figures' shape). */
  cursors: Array<[number, number]>
}

/**
 * Runs in the app's page before its scripts (context.addInitScript). Plain JavaScript in a string:
 * a function handed over from tsx-compiled code may call helpers the page does not have.
 */
export const watchCatchUp = `(() => {
  const now = () => performance.timeOrigin + performance.now()
  document.addEventListener('click', (event) => {
    const button = event.target && event.target.closest ? event.target.closest('button') : null
    if (button && button.textContent.trim() === 'Sign in') sessionStorage.setItem('bench:signInAt', String(now()))
  }, true)
  const signInAt = Number(sessionStorage.getItem('bench:signInAt'))
  const expected = JSON.parse(sessionStorage.getItem('bench:expect') || 'null')
  if (!signInAt || !expected) return
  // Signing in reloads the account screen; the shopper goes back to the shop to buy.
  if (location.hash.startsWith('#/account')) history.replaceState(null, '', '#/')
  const marks = { signInAt, cursors: [] }
  window.kirokuCatchUp = marks
  const channel = new BroadcastChannel(expected.channel)
  channel.onmessage = (event) => {
    if (event.data.type !== 'sync-status' || !event.data.status) return
    const cursor = event.data.status.cursor
    const last = marks.cursors[marks.cursors.length - 1]
    if (!last || last[1] !== cursor) marks.cursors.push([Math.round(now() - signInAt), cursor])
    if (cursor >= expected.head && marks.allLocalAt === undefined) {
      marks.allLocalAt = now()
      channel.close()
    }
  }
  const interactive = () => {
    const buttons = [...document.querySelectorAll('button[aria-label^="Add to cart"]')]
    if (buttons.length === 0 || buttons.some((b) => b.disabled)) return false
    const nav = [...document.querySelectorAll('a')].map((a) => (a.textContent || '').trim()).find((text) => /^Cart\\b/.test(text))
    if (nav !== 'Cart (' + expected.itemCount + ')') return false
    for (const item of document.querySelectorAll('li.product')) {
      const name = ((item.querySelector('h2') || {}).textContent || '').trim()
      const status = (item.querySelector('.product-status') || {}).textContent || ''
      const match = /(\\d+) in your cart/.exec(status)
      if ((match ? Number(match[1]) : 0) !== (expected.lines[name] || 0)) return false
    }
    return true
  }
  const observer = new MutationObserver(() => {
    if (marks.interactiveAt === undefined && interactive()) {
      marks.interactiveAt = now()
      observer.disconnect()
    }
  })
  observer.observe(document, { subtree: true, childList: true, characterData: true, attributes: true })
})()`

/** The baseline's page, served beside the app (the same origin, so the same cookie). */
export const baselinePage = `<!doctype html>
<meta charset="utf-8">
<title>catch-up baseline</title>
<script>
const request = (r) => new Promise((resolve, reject) => { r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error) })
async function open(name) {
  await request(indexedDB.deleteDatabase(name))
  const opening = indexedDB.open(name, 1)
  opening.onupgradeneeded = () => {
    const db = opening.result
    db.createObjectStore('events', { keyPath: 'position', autoIncrement: true }).createIndex('eventId', 'eventId', { unique: true })
    db.createObjectStore('streams', { keyPath: ['stream', 'position'] }).createIndex('eventId', 'eventId')
    db.createObjectStore('syncState', { keyPath: 'key' })
  }
  return request(opening)
}
const TIMES = ['timestamp', 'validAt']
window.catchUp = async function catchUp({ email, password, limit, database }) {
  const startedAt = performance.timeOrigin + performance.now()
  const login = await fetch('/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) })
  if (login.status !== 200) throw new Error('login: ' + login.status)
  const db = await open(database)
  let cursor = 0, events = 0, pages = 0, fetchMs = 0, writeMs = 0
  for (;;) {
    const t0 = performance.now()
    const answer = await (await fetch('/api/sync/pull?after=' + cursor + '&limit=' + limit, { cache: 'no-store' })).json()
    const t1 = performance.now()
    fetchMs += t1 - t0
    if (answer.events.length > 0) {
      await new Promise((resolve, reject) => {
        const tx = db.transaction(['events', 'streams', 'syncState'], 'readwrite')
        tx.oncomplete = resolve
        tx.onabort = tx.onerror = () => reject(tx.error)
        const log = tx.objectStore('events'), streams = tx.objectStore('streams')
        for (const e of answer.events) {
          const metadata = { ...e.metadata }
          for (const key of TIMES) if (typeof metadata[key] === 'string') metadata[key] = new Date(metadata[key])
          const added = log.add({ eventId: e.eventId, type: e.type, data: e.data, metadata })
          added.onsuccess = () => streams.add({ stream: e.stream, position: e.streamPosition, eventId: e.eventId, globalPosition: added.result, type: e.type, joinOrder: 0 })
        }
        cursor = answer.events[answer.events.length - 1].position
        tx.objectStore('syncState').put({ key: 'cursor', value: cursor })
      })
      events += answer.events.length
      pages++
    }
    writeMs += performance.now() - t1
    if (!answer.hasMore || answer.events.length === 0) break
  }
  const doneAt = performance.timeOrigin + performance.now()
  const stored = await request(db.transaction('events').objectStore('events').count())
  db.close()
  return { ms: doneAt - startedAt, events, stored, pages, cursor, fetchMs, writeMs }
}
</script>
`
