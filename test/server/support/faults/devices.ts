// The devices of the faults-under-load runs: each one the library's own SyncEngine over its own
// store (fake-indexeddb), reaching the real server process over HTTP through `httpTransport`,
// with a live channel as EventSource would keep it, and retrying as the browser does (the
// engine's own back-off). Each user has two devices. A device's commands go to its own cart
// (adds and removals, never in conflict) and to the user's shared cart (adds, which conflict with
// the other device's and always survive a rebase), so nothing should ever be dropped.
//
// Around the engine's transport, a tally of what happened on the wire: pushes, the ones that got
// no answer, retries, what each commit's answer said, and which of the device's events the server
// has said it holds (an accepted or duplicate answer, or the event pulled back after a lost one).
import { randomUUID } from 'node:crypto'
import { Cart, catalog } from '../../../../src/domain'
import { AggregateRepository, openEventStore, type EventStore, type RecordedEvent } from '../../../../src/eventstore'
import { httpTransport, SYNC_REPORTS, SyncEngine, type LiveChannel, type SyncReport, type SyncTransport } from '../../../../src/sync'
import { shopDatabase, shopSync } from '../../../../src/worker/shopSync'

export const PASSWORD = 'correct horse battery'
/** How soon the live channel reconnects, as the server's `retry:` field tells EventSource (2 s). */
const LIVE_RETRY_MS = 2_000

export interface Tally {
  /** Commands run (each one a local commit of one event). */
  commands: number
  /** Push requests sent, and those that got no answer (a cut connection, a server down, a 5xx). */
  pushes: number
  unanswered: number
  /** Pushes that sent again an event an unanswered push carried. */
  retries: number
  /** Commits the server answered accepted, duplicate, conflict, blocked, or rejected. */
  accepted: number
  duplicates: number
  conflicts: number
  blocked: number
  rejected: number
  pulls: number
  /** The device's own events it learnt were stored by pulling them, not from a push's answer (the answer was lost). */
  confirmedByPull: number
}

export const emptyTally = (): Tally => ({ commands: 0, pushes: 0, unanswered: 0, retries: 0, accepted: 0, duplicates: 0, conflicts: 0, blocked: 0, rejected: 0, pulls: 0, confirmedByPull: 0 })

export interface User {
  email: string
  userId: string
  /** The cart both of the user's devices add to. */
  sharedCartId: string
}

export interface FaultDevice {
  readonly name: string
  readonly user: User
  readonly store: EventStore
  readonly engine: SyncEngine
  readonly tally: Tally
  /** Every event this device wrote itself. */
  readonly written: Set<string>
  /** Its events the server said it stores. */
  readonly acknowledged: Set<string>
  /** When a push of this device last got its answer (performance.now()), 0 before the first. */
  readonly lastAnswer: number
  /** One command: a change to its own cart, or every third time an add to the shared cart. */
  command(): Promise<void>
  /** Every report of an event the server did not take (none expected here). */
  reports(): Promise<SyncReport[]>
  /** The device's synced streams with their events in stream order (ids). */
  streams(): Promise<Map<string, string[]>>
  close(): Promise<void>
}

/** Signs `email` up (201) or in (200); resolves with the user's id and the session cookie. */
export async function session(base: string, call: 'signup' | 'login', email: string): Promise<{ userId: string; cookie: string }> {
  const response = await fetch(`${base}/api/auth/${call}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }) })
  if (response.status !== (call === 'signup' ? 201 : 200)) throw new Error(`${call} ${email}: HTTP ${response.status} ${await response.text()}`)
  const { user } = (await response.json()) as { user: { id: string } }
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith('kiroku_session='))?.split(';')[0]
  if (!cookie) throw new Error(`${call} ${email}: no session cookie`)
  return { userId: user.id, cookie }
}

/** `GET /api/sync/live` read as EventSource reads it: heads, then a new connection 2 s after it ends, with Last-Event-ID. */
export function fetchLive(base: string, cookie: string): LiveChannel {
  return ({ onHead, onState }) => {
    let closed = false
    let controller: AbortController | null = null
    let wake: () => void = () => undefined
    let lastId: string | undefined
    void (async () => {
      while (!closed) {
        onState('connecting')
        controller = new AbortController()
        try {
          const headers: Record<string, string> = { cookie, accept: 'text/event-stream' }
          if (lastId !== undefined) headers['last-event-id'] = lastId
          const response = await fetch(`${base}/api/sync/live`, { headers, signal: controller.signal })
          if (response.status === 401) {
            onState('closed')
            return
          }
          if (response.status !== 200 || !response.body) throw new Error(`live: HTTP ${response.status}`)
          onState('open')
          const reader = response.body.pipeThrough(new TextDecoderStream()).getReader()
          let buffer = ''
          for (;;) {
            const { value, done } = await reader.read()
            if (done) break
            buffer += value
            for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
              const fields = new Map(
                buffer
                  .slice(0, end)
                  .split('\n')
                  .filter((line) => line && !line.startsWith(':'))
                  .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trimStart()] as const),
              )
              buffer = buffer.slice(end + 2)
              if (fields.has('id')) lastId = fields.get('id')
              if (fields.get('event') !== 'head') continue
              const head = Number((JSON.parse(fields.get('data') ?? '{}') as { head?: unknown }).head)
              if (Number.isSafeInteger(head) && head >= 0) onHead(head)
            }
          }
        } catch {
          // The connection failed or was cut: reconnect, as EventSource does.
        }
        if (closed) return
        onState('connecting')
        await new Promise<void>((resolve) => {
          wake = resolve
          setTimeout(resolve, LIVE_RETRY_MS)
        })
      }
    })()
    return () => {
      closed = true
      controller?.abort()
      wake()
      onState('off')
    }
  }
}

let opened = 0

/** A device of `user`: a fresh store on fake-indexeddb and a started engine that reaches `base` with `cookie`. */
export async function openFaultDevice(base: string, user: User, cookie: string, name: string): Promise<FaultDevice> {
  const database = `kiroku-faults-${process.pid}-${++opened}-${randomUUID().slice(0, 8)}`
  // The global IndexedDB, named: Dexie looks for it once, when first imported, which in the bench
  // is before fake-indexeddb is set up.
  const store = await openEventStore({ name: database, readModels: shopDatabase, indexedDB: globalThis.indexedDB })
  const repository = new AggregateRepository(store)
  const tally = emptyTally()
  const written = new Set<string>()
  const acknowledged = new Set<string>()
  const unanswered = new Set<string>()
  let lastAnswer = 0

  const http = httpTransport({
    baseUrl: base,
    fetch: (url, init) => {
      const headers = new Headers(init?.headers)
      headers.set('cookie', cookie)
      return fetch(url, { ...init, headers })
    },
  })
  const transport: SyncTransport = {
    async push(body) {
      tally.pushes++
      const ids = body.commits.flatMap((commit) => commit.events.map((event) => event.eventId))
      if (ids.some((id) => unanswered.has(id))) tally.retries++
      let answer
      try {
        answer = await http.push(body)
      } catch (error) {
        tally.unanswered++
        for (const id of ids) unanswered.add(id)
        throw error
      }
      lastAnswer = performance.now()
      for (const id of ids) unanswered.delete(id)
      for (const [index, result] of answer.results.entries()) {
        if (result.status === 'accepted' || result.status === 'duplicate') {
          for (const event of body.commits[index]!.events) acknowledged.add(event.eventId)
          if (result.status === 'accepted') tally.accepted++
          else tally.duplicates++
        } else if (result.status === 'conflict') tally.conflicts++
        else if (result.status === 'blocked') tally.blocked++
        else tally.rejected++
      }
      return answer
    },
    async pull(after, limit) {
      tally.pulls++
      const answer = await http.pull(after, limit)
      for (const event of answer.events) {
        if (!written.has(event.eventId) || acknowledged.has(event.eventId)) continue
        acknowledged.add(event.eventId)
        tally.confirmedByPull++
      }
      return answer
    },
  }
  const engine = new SyncEngine({ store, transport, definition: shopSync, live: fetchLive(base, cookie), online: () => true })
  // As a page's SyncClient does: a local commit to a synced stream starts a cycle at once.
  const offCommit = store.onCommit((events: readonly RecordedEvent[]) => {
    let local = false
    for (const event of events) {
      // The server's events carry its recordedAt; the device's own carry none until pulled back.
      if ('recordedAt' in event.metadata) continue
      written.add(event.eventId)
      local = true
    }
    if (local) engine.syncNow()
  })
  engine.start()

  const ownCartId = randomUUID()
  // Devices start at different products, so two devices of a user seldom add the same one at once.
  const offset = opened
  let turn = 0
  return {
    name,
    user,
    store,
    engine,
    tally,
    written,
    acknowledged,
    get lastAnswer() {
      return lastAnswer
    },
    async command() {
      turn++
      const product = catalog[(turn * 5 + offset) % catalog.length]!
      if (turn % 3 === 0) {
        await repository.withAggregate(Cart, user.sharedCartId, (cart) => cart.addItem(product.id, 1, product.price), { retries: 3 })
      } else {
        await repository.withAggregate(
          Cart,
          ownCartId,
          (cart) => (cart.lines.some((line) => line.itemId === product.id) ? cart.removeItem(product.id) : cart.addItem(product.id, 1, product.price)),
          { retries: 3 },
        )
      }
      tally.commands++
    },
    reports: () => store.db.table<SyncReport, number>(SYNC_REPORTS).toArray(),
    async streams() {
      const events = await store.read.toArray()
      const names = new Set<string>()
      for (const streams of (await store.streamsOfEach(events.map((event) => event.eventId))).values()) for (const stream of streams) if (shopSync.syncs(stream)) names.add(stream)
      const streams = new Map<string, string[]>()
      for (const stream of [...names].sort()) streams.set(stream, (await store.read.stream(stream).toArray()).map((event) => event.eventId))
      return streams
    },
    async close() {
      offCommit()
      engine.stop()
      store.close()
      await new Promise<void>((resolve, reject) => {
        const request = indexedDB.deleteDatabase(database)
        request.onsuccess = () => resolve()
        request.onerror = () => reject(request.error)
      })
    },
  }
}
