// What the convergence property needs around a shop device (devices.ts): what the app's leading
// worker adds to the engine (the deferred projections, caught up after every commit and rebuilt
// when sync rewrote the log), a network that can lose a push's answer after the server acted on
// it, and a record of every event the device wrote itself. Then the views the property compares:
// streams with their positions, carts, the current cart, the orders table, the server's events.
import { Cart, currentCartOf } from '../../../src/domain'
import { ProjectionRunner } from '../../../src/eventstore'
import { deferredProjections, ORDERS, type OrderRow } from '../../../src/projections'
import { SYNC_REPORTS, SyncEngine, SyncUnreachableError, type SyncEngineOptions, type SyncReport } from '../../../src/sync'
import { openDevice, type Device, type TestServer } from './devices'

export interface ConvergenceDevice extends Device {
  /** The deferred projections, as the leading worker runs them. */
  readonly runner: ProjectionRunner
  /** Set: the next push reaches the server, and its answer is lost on the way back. */
  loseNextAnswer: boolean
  /** Pushes whose answer was lost. */
  lostAnswers: number
  /** Times sync told the device it took events out of the log (a rebase, a rejection). */
  rewrites: number
  /** The id of every event this device wrote itself (not pulled), kept though sync may take it out. */
  readonly written: Set<string>
  /** Every report the device keeps of an event the server did not take. */
  reports(): Promise<SyncReport[]>
  /**
   * The leading tab closes and another tab's worker leads: a new engine on the same store, with the
   * same settings, picks up from what the old one kept in sync's tables.
   */
  newLeader(): void
  /** Waits for the rebuilds sync asked for, then until every projection caught up with the log. */
  projectionsCaughtUp(): Promise<void>
  close(): void
}

/** A device of the user with this cookie, its projections running and its engine wired as the worker wires it (lead.ts). */
export async function openConvergenceDevice(
  server: TestServer,
  cookie: string,
  name: string,
  sizes: Pick<SyncEngineOptions, 'commitSize' | 'pullLimit'> = {},
): Promise<ConvergenceDevice> {
  const device = await openDevice(server, cookie, name)
  const { store, engine } = device
  const failures: unknown[] = []
  const runner = new ProjectionRunner(store, deferredProjections, {
    sleep: async () => undefined,
    // A catch-up a commit started, with nobody awaiting it: any failure fails the property.
    onError: (error) => void failures.push(error),
  })
  await runner.start()
  const rebuilds: Array<Promise<unknown>> = []
  const rebuildAll = () => Promise.all(deferredProjections.map((projection) => runner.rebuild(projection.name)))
  const written = new Set<string>()
  // Events the server stored carry its recordedAt; a device's own carry none until pulled back.
  const offCommit = store.onCommit((events) => {
    for (const event of events) if (!('recordedAt' in event.metadata)) written.add(event.eventId)
  })
  const converging = Object.assign(device, {
    runner,
    loseNextAnswer: false,
    lostAnswers: 0,
    rewrites: 0,
    written,
    reports: () => store.db.table<SyncReport, number>(SYNC_REPORTS).toArray(),
    async projectionsCaughtUp() {
      while (rebuilds.length > 0) await Promise.all(rebuilds.splice(0))
      await runner.notify()
      if (failures.length > 0) throw failures[0]
    },
    newLeader() {
      const engine = new SyncEngine({ ...options })
      Object.assign(converging, { engine, sync: () => engine.sync() })
    },
    close() {
      offCommit()
      runner.stop()
      store.close()
    },
  })
  // The engine's options, reached as engine.test.ts reaches its transport: the app's worker gives
  // onChanged (lead.ts), and the lost answer is a network's doing, below the engine.
  const options = engine['options']
  Object.assign(options, sizes)
  options.onChanged = ({ rewritten }) => {
    if (!rewritten) return
    converging.rewrites++
    // As lead.ts: not awaited by the engine; the property waits for them before it compares.
    rebuilds.push(rebuildAll())
  }
  const transport = options.transport
  const push = transport.push.bind(transport)
  transport.push = async (body) => {
    const answer = await push(body)
    if (!converging.loseNextAnswer) return answer
    converging.loseNextAnswer = false
    converging.lostAnswers++
    throw new SyncUnreachableError(undefined, { cause: new TypeError('Failed to fetch (the connection was reset after the request was sent)') })
  }
  return converging
}

/** One event of a stream as the property compares it: where it is, what it is. */
export interface PlacedEvent {
  position: number
  eventId: string
  type: string
  data: unknown
}

/** The device's synced streams, each event with its stream position; checks the stream's version says the same. */
export async function placedStreams(device: Device): Promise<Map<string, PlacedEvent[]>> {
  const placed = new Map<string, PlacedEvent[]>()
  for (const [stream, events] of await device.streams()) {
    const version = await device.store.streamVersion(stream)
    if (version !== events.length - 1) throw new Error(`${device.name}: ${stream} is at version ${version} but holds ${events.length} event(s)`)
    placed.set(stream, events.map(({ eventId, type, data }, position) => ({ position, eventId, type, data })))
  }
  return placed
}

/** The user's streams as the server stores them. */
export async function serverStreams(server: TestServer, userId: string): Promise<Map<string, PlacedEvent[]>> {
  const rows = await server.db.query<{ stream: string; position: number | string; event_id: string; type: string; data: unknown }>(
    'SELECT stream, stream_position AS position, event_id::text AS event_id, type, data FROM events WHERE user_id = $1 ORDER BY stream, stream_position',
    [userId],
  )
  const streams = new Map<string, PlacedEvent[]>()
  for (const row of rows) {
    const events = streams.get(row.stream) ?? []
    events.push({ position: Number(row.position), eventId: row.event_id, type: row.type, data: row.data })
    streams.set(row.stream, events)
  }
  return new Map([...streams].sort(([a], [b]) => a.localeCompare(b)))
}

/** Event ids the server stores more than once (none, ever). */
export async function duplicatedOnServer(server: TestServer): Promise<string[]> {
  const rows = await server.db.query<{ event_id: string }>('SELECT event_id::text AS event_id, count(*) FROM events GROUP BY 1 HAVING count(*) > 1')
  return rows.map((row) => row.event_id)
}

/** The user's head on the server (0 before their first event). */
export async function serverHead(server: TestServer, userId: string): Promise<number> {
  const [row] = await server.db.query<{ head: number | string }>('SELECT head FROM partitions WHERE user_id = $1', [userId])
  return Number(row?.head ?? 0)
}

/** The read models a user sees, as the device computes them: every cart given, the current cart, the orders table. */
export async function readModels(device: ConvergenceDevice, cartIds: readonly string[], shopperId: string) {
  const carts: Record<string, { version: number; state: unknown }> = {}
  for (const cartId of cartIds) {
    const cart = await device.repository.load(Cart, cartId)
    carts[cartId] = { version: cart.version, state: cart.snapshotState() }
  }
  return { carts, currentCart: await currentCartOf(device.repository, shopperId), orders: await orderRows(device) }
}

/** The orders table, by order id. */
export async function orderRows(device: Device): Promise<OrderRow[]> {
  return device.store.db.table<OrderRow, string>(ORDERS).orderBy('orderId').toArray()
}
