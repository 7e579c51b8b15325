// The measured work, one function per case, run in the page (real IndexedDB) or in Node
// (fake-indexeddb). Each call is one round on a fresh database: it seeds it, then times Kiroku
// (A) and the hand-written baseline (B) interleaved A B A B on the same data, and returns the
// samples in milliseconds. Rounds, warm-up, statistics and the table are the runner's business.
import { addItem, Cart, catalog, ItemAdded } from '../src/domain'
import { AggregateRepository, defineProjection, ProjectionRunner, type Durability, type RecordedEvent } from '../src/eventstore'
import { SnapshottedTally, Tally, Added } from '../test/support/Tally'
import {
  itemAdded,
  KIROKU_BATCH_LINES,
  KIROKU_LINES,
  KIROKU_QUEUED_LINES,
  openFixture,
  putSnapshot,
  RAW_LINES,
  seed,
  settle,
  SNAPSHOTS,
  toRecords,
  type EventRecord,
  type SeedItem,
} from './fixtures'
import * as raw from './raw'

export interface Samples {
  kiroku: number[]
  raw: number[]
  /** For a throughput: how many events each sample took. */
  events?: number
}

/** Samples per measured operation (a case measures one or more), plus single numbers worth keeping. */
export interface RoundResult {
  samples: Record<string, Samples>
  notes?: Record<string, number>
}

export interface RoundOptions {
  /** Multiplies the event counts (1 = the sizes); the runner lowers it for warm-up and --node. */
  scale: number
  durability: Durability
}

const now = () => performance.now()

async function time(fn: () => Promise<unknown>): Promise<number> {
  const start = now()
  await fn()
  return now() - start
}

const scaled = (count: number, scale: number) => Math.max(1, Math.round(count * scale))

/** (1) Checked appends of 1, 10 and 1,000 events per transaction, each to its own stream. */
async function append({ scale, durability }: RoundOptions): Promise<RoundResult> {
  const fx = await openFixture('append', durability)
  const samples: Record<string, Samples> = {}
  try {
    for (const [size, count] of [
      [1, 100],
      [10, 40],
      [1000, 4],
    ] as const) {
      const s: Samples = { kiroku: [], raw: [] }
      const n = scaled(count, Math.sqrt(scale))
      for (let i = 0; i < n; i++) {
        const kEvents = Array.from({ length: size }, (_, j) => itemAdded('k', i * size + j))
        const rEvents = Array.from({ length: size }, (_, j) => itemAdded('r', i * size + j))
        const expectedVersion = i * size - 1
        s.kiroku.push(await time(() => fx.store.append(kEvents, { stream: `Cart$append-${size}-k`, expectedVersion })))
        s.raw.push(await time(() => raw.checkedAppend(fx.raw, `Cart$append-${size}-r`, expectedVersion, toRecords(rEvents), durability)))
      }
      samples[`append-${size}`] = s
    }
    return { samples }
  } finally {
    await fx.dispose()
  }
}

/** (2) Aggregate loads: Tally streams of 100, 1,000 and 10,000 events, and 10,000 from a snapshot. */
async function load({ scale, durability }: RoundOptions): Promise<RoundResult> {
  const fx = await openFixture('load', durability)
  const lengths = [100, 1_000, 10_000]
  const seedItems: SeedItem[] = []
  // Interleaved, so a stream's events are spread over the log as they are in use.
  for (let i = 0; i < 10_000; i++) {
    for (const length of lengths) if (i < length) seedItems.push({ event: Added({ amount: 1 + (i % 7) }), stream: `Tally$s${length}` })
  }
  const totals = new Map<number, number>()
  try {
    await seed(fx.raw, seedItems)
    await settle(fx.raw)
    for (const { event, stream } of seedItems) {
      const length = Number(stream!.slice('Tally$s'.length))
      totals.set(length, (totals.get(length) ?? 0) + (event.data as { amount: number }).amount)
    }
    // A snapshot taken at version 9,989: loading it replays the last 10 events.
    const big = seedItems.filter((item) => item.stream === 'Tally$s10000')
    const at = 9_989
    const state = big.slice(0, at + 1).reduce(
      (s, item) => ({ ...s, total: s.total + (item.event.data as { amount: number }).amount, count: s.count + 1 }),
      { total: 0, count: 0, closed: false },
    )
    await putSnapshot(fx.raw, { stream: 'Tally$s10000', version: at, eventId: big[at]!.event.eventId, schemaVersion: 1, state, takenAt: new Date() })

    const repository = new AggregateRepository(fx.store)
    const samples: Record<string, Samples> = {}
    const cases = [
      { id: 'load-100', length: 100, Type: Tally, count: 20 },
      { id: 'load-1000', length: 1_000, Type: Tally, count: 8 },
      { id: 'load-10000', length: 10_000, Type: Tally, count: 2 },
      { id: 'load-10000-snapshot', length: 10_000, Type: SnapshottedTally, count: 20 },
    ]
    for (const { id, length, Type, count } of cases) {
      const s: Samples = { kiroku: [], raw: [] }
      const useSnapshot = Type === SnapshottedTally
      for (let i = 0; i < scaled(count, Math.sqrt(scale)); i++) {
        let kTotal = -1
        let rTotal = -1
        s.kiroku.push(
          await time(async () => {
            kTotal = (await repository.load(Type, `s${length}`)).total
          }),
        )
        s.raw.push(
          await time(async () => {
            const { snapshot, records } = await raw.loadStream(fx.raw, `Tally$s${length}`, useSnapshot)
            const tally = new Type(`s${length}`)
            if (snapshot) {
              tally.restoreState(snapshot.state)
              tally.version = snapshot.version
            }
            for (const record of records) tally.replay(record as unknown as RecordedEvent)
            rTotal = tally.total
          }),
        )
        if (kTotal !== totals.get(length) || rTotal !== kTotal) throw new Error(`${id}: Kiroku loaded ${kTotal}, the baseline ${rTotal}, expected ${totals.get(length)}`)
      }
      samples[id] = s
    }
    return { samples }
  } finally {
    await fx.dispose()
  }
}

type LineData = { cartId: string; itemId: string; quantity: number; price: number }

const lineOf = (data: LineData, position: number) => ({
  id: `${data.cartId}/${data.itemId}`,
  cartId: data.cartId,
  itemId: data.itemId,
  quantity: data.quantity,
  price: data.price,
  position,
})

/**
 * A simple deferred projection: one read-model row per cart line. `awaited`: its apply awaits the
 * write, as an apply that reads before it writes must; `queued` sends the write and returns,
 * leaving the transaction to report a failure (it aborts, and the runner retries the batch);
 * `batch`: an applyBatch writing each batch's rows with one bulkPut.
 */
function linesProjection(mode: 'awaited' | 'queued' | 'batch') {
  const table = { awaited: KIROKU_LINES, queued: KIROKU_QUEUED_LINES, batch: KIROKU_BATCH_LINES }[mode]
  const row = (event: RecordedEvent) => lineOf(event.data as LineData, event.globalPosition)
  const base = { name: `bench-lines-${mode}`, events: [ItemAdded], tables: [table] }
  if (mode === 'batch') return defineProjection({ ...base, applyBatch: async (events, context) => void (await context.table(table).bulkPut(events.map(row))) })
  return defineProjection({
    ...base,
    apply: mode === 'queued'
      ? (event, context) => void context.table(table).put(row(event))
      : async (event, context) => {
          await context.table(table).put(row(event))
        },
  })
}

const PAGE = 500
const CART_LENGTH = 50

/** Runs a projection over the whole log; resolves with its duration and when it had applied the first `mark` events. */
async function runProjection(run: (passed: (position: number) => void) => Promise<void>, mark: number): Promise<[number, number]> {
  let atMark = NaN
  const start = now()
  await run((position) => {
    if (Number.isNaN(atMark) && position >= mark) atMark = now() - start
  })
  return [now() - start, atMark]
}

/**
 * (3) global catch-up, (4) deferred projection throughput and (5) command latency, on one log
 * of 100,000 Cart.ItemAdded events spread over carts of 50 events each.
 */
async function log100k({ scale, durability }: RoundOptions): Promise<RoundResult> {
  const fx = await openFixture('log', durability)
  const total = scaled(100_000, scale)
  const carts = Math.max(2, Math.floor(total / CART_LENGTH))
  const samples: Record<string, Samples> = {}
  const notes: Record<string, number> = {}
  const tenK = Math.min(10_000, total)
  try {
    const seeding = now()
    await seed(fx.raw, Array.from({ length: total }, (_, i) => ({ event: itemAdded(`c${i % carts}`, i), stream: `Cart$c${i % carts}` })))
    await settle(fx.raw)
    notes.seedMs = now() - seeding

    // (3) Every event, in batches of 500; twice each, A B A B.
    const catchUp: Samples = { kiroku: [], raw: [] }
    for (let i = 0; i < 2; i++) {
      let kSeen = 0
      catchUp.kiroku.push(
        await time(async () => {
          for await (const batch of fx.store.read.inBatches(PAGE)) kSeen += batch.length
        }),
      )
      let rSeen = 0
      catchUp.raw.push(
        await time(async () => {
          rSeen = await raw.catchUp(fx.raw, PAGE)
        }),
      )
      if (kSeen !== total || rSeen !== total) throw new Error(`catch-up: Kiroku saw ${kSeen}, the baseline ${rSeen}, of ${total}`)
    }
    samples['catch-up'] = catchUp
    notes.catchUpMs = now() - seeding - notes.seedMs

    // (5) addItem on a cart of 50 events and no snapshot, more than a Cart ever replays (it
    // snapshots every 50), with the whole log stored → the sync handler of Cart.ItemAdded has
    // run. Before the projections, so their 100,000 read-model writes settling in the
    // background do not land on it.
    let handledAt = NaN
    const off = fx.store.subscribe(() => void (handledAt = now()), { to: [ItemAdded] })
    const repository = new AggregateRepository(fx.store)
    const s: Samples = { kiroku: [], raw: [] }
    const commands = Math.min(40, Math.floor(carts / 2))
    const commanding = now()
    for (let i = 0; i < commands; i++) {
      // A catalog product at its catalog price: the domain refuses anything else.
      const product = catalog[i % catalog.length]!
      const item = { itemId: product.id, quantity: 1, price: product.price }
      handledAt = NaN
      let start = now()
      await addItem(repository, { ...item, cartId: `c${2 * i}` })
      s.kiroku.push(handledAt - start)
      handledAt = NaN
      start = now()
      await rawAddItem(fx.raw, { ...item, cartId: `c${2 * i + 1}` }, () => void (handledAt = now()), durability)
      s.raw.push(handledAt - start)
    }
    off()
    if (s.kiroku.some(Number.isNaN) || s.raw.some(Number.isNaN)) throw new Error('a command did not reach its handler')
    samples['command-ui'] = s
    notes.commandsMs = now() - commanding

    // (4) The whole log through a deferred projection, from checkpoint 0, Kiroku's then the
    // baseline, each into its own table. Then Kiroku's again with an apply that queues its write
    // instead of awaiting it, over the first 10,000 events only: what the library itself costs.
    const head = (await fx.store.read.last())?.globalPosition ?? 0
    const kiroku = (mode: 'awaited' | 'queued' | 'batch', upTo: number) => (passed: (position: number) => void) => {
      const runner = new ProjectionRunner(fx.store, [linesProjection(mode)], {
        batchSize: PAGE,
        onStatus: ([status]) => {
          if (!status) return
          passed(status.checkpoint)
          if (status.checkpoint >= upTo) runner.stop()
        },
      })
      return runner.start().then(() => {
        const [status] = runner.status()
        if (!status || status.checkpoint < Math.min(upTo, head) || status.failure) throw new Error(`projection stopped at ${status?.checkpoint} (${status?.state}) of ${upTo}`)
      })
    }
    const [kProject, kTenK] = await runProjection(kiroku('awaited', Infinity), tenK)
    const [rProject, rTenK] = await runProjection(async (passed) => {
      const applied = await raw.project(fx.raw, 'raw-lines', RAW_LINES, PAGE, (record) => lineOf(record.data as LineData, record.position as number), durability, passed)
      if (applied !== head) throw new Error(`baseline projection applied ${applied} of ${head}`)
    }, tenK)
    const [, qTenK] = await runProjection(kiroku('queued', tenK), tenK)
    const [, bTenK] = await runProjection(kiroku('batch', tenK), tenK)
    samples['projection'] = { kiroku: [kProject], raw: [rProject], events: head }
    samples['projection-10k'] = { kiroku: [kTenK], raw: [rTenK] }
    samples['projection-queued-10k'] = { kiroku: [qTenK], raw: [rTenK] }
    samples['projection-batch-10k'] = { kiroku: [bTenK], raw: [rTenK] }
    notes.projectionsMs = kProject + rProject + qTenK + bTenK
    return { samples, notes }
  } finally {
    await fx.dispose()
  }
}

/** addItem by hand: load the cart (snapshot, then the rest), decide, checked append, call the handler, snapshot every 50. */
async function rawAddItem(
  db: IDBDatabase,
  c: { cartId: string; itemId: string; quantity: number; price: number },
  onAdded: (record: EventRecord) => void,
  durability: Durability,
): Promise<void> {
  const stream = `Cart$${c.cartId}`
  const { snapshot, records } = await raw.loadStream(db, stream, true)
  const cart = new Cart(c.cartId)
  if (snapshot) {
    cart.restoreState(snapshot.state)
    cart.version = snapshot.version
  }
  for (const record of records) cart.replay(record as unknown as RecordedEvent)
  cart.addItem(c.itemId, c.quantity, c.price)
  const events = [...cart.unpublishedEvents]
  const before = cart.version
  const stored = toRecords(events)
  const positions = await raw.checkedAppend(db, stream, before, stored, durability)
  stored.forEach((record, i) => {
    record.position = positions[i]
    if (record.type === ItemAdded.type) onAdded(record)
  })
  cart.markStored(events.length)
  const every = Cart.snapshotEvery
  if (Math.floor((cart.version + 1) / every) > Math.floor((before + 1) / every)) {
    await new Promise<void>((resolve, reject) => {
      const tx = db.transaction(SNAPSHOTS, 'readwrite', { durability })
      tx.objectStore(SNAPSHOTS).put({ stream, version: cart.version, eventId: stored.at(-1)!.eventId, schemaVersion: Cart.snapshotVersion, state: cart.snapshotState(), takenAt: new Date() })
      tx.oncomplete = () => resolve()
      tx.onabort = () => reject(tx.error)
    })
  }
}

export const cases = { append, load, log100k } satisfies Record<string, (options: RoundOptions) => Promise<RoundResult>>
export type CaseId = keyof typeof cases
