// The measured work, one function per case, run in the page (real IndexedDB) or in Node
// (fake-indexeddb). Each call is one round on a fresh database: it seeds it, then times Kiroku
// (A) and the hand-written baseline (B) interleaved A B A B on the same data, and returns the
// samples in milliseconds. Rounds, warm-up, statistics and the table are the runner's business.
//
// With `stored` (the growth run, `npm run bench -- --million`) the append, load and log cases
// instead share one database per size, seeded once in this page and kept open across rounds
// (see `storedFixture`): re-seeding 1,000,000 events every round would take most of an hour.
import { addItem, Cart, catalog, ItemAdded } from '../src/domain'
import { AggregateRepository, defineProjection, ProjectionRunner, type Durability, type RecordedEvent } from '../src/eventstore'
import { SnapshottedTally, Tally, Added } from '../test/support/Tally'
import {
  itemAdded,
  KIROKU_BATCH_LINES,
  KIROKU_LINES,
  KIROKU_QUEUED_LINES,
  openFixture,
  EVENTS,
  STREAMS,
  putSnapshot,
  RAW_LINES,
  request,
  seed,
  settle,
  SNAPSHOTS,
  toRecords,
  toRecord,
  type EventRecord,
  type Fixture,
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
  /**
   * The growth run: this many events are already stored, in one database shared by every round
   * of the append, load and log cases at this size (seeded on first use; see storedFixture).
   */
  stored?: number
  /** The runner's warm-up round (discarded). */
  warmup?: boolean
}

const now = () => performance.now()

async function time(fn: () => Promise<unknown>): Promise<number> {
  const start = now()
  await fn()
  return now() - start
}

const scaled = (count: number, scale: number) => Math.max(1, Math.round(count * scale))

/** (1) Checked appends of 1, 10 and 1,000 events per transaction, each to its own stream. */
async function append({ scale, durability, stored }: RoundOptions): Promise<RoundResult> {
  const shared = stored === undefined ? undefined : await storedFixture(stored, durability)
  const fx = shared?.fx ?? (await openFixture('append', durability))
  // On the shared database every round appends to streams of its own: new streams, as here.
  const tag = shared ? `-r${++shared.rounds}` : ''
  const head = shared ? await lastPosition(fx.raw) : 0
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
        s.kiroku.push(await time(() => fx.store.append(kEvents, { stream: `Cart$append-${size}-k${tag}`, expectedVersion })))
        s.raw.push(await time(() => raw.checkedAppend(fx.raw, `Cart$append-${size}-r${tag}`, expectedVersion, toRecords(rEvents), durability)))
      }
      samples[`append-${size}`] = s
    }
    return { samples }
  } finally {
    if (!shared) await fx.dispose()
    // A round appends about 9,000 events; taken out again, every later round and case sees the stored log as seeded.
    else await removeAfter(fx.raw, head, [1, 10, 1000].flatMap((size) => [`Cart$append-${size}-k${tag}`, `Cart$append-${size}-r${tag}`]))
  }
}

async function lastPosition(db: IDBDatabase): Promise<number> {
  const cursor = await request(db.transaction(EVENTS).objectStore(EVENTS).openKeyCursor(null, 'prev'))
  return (cursor?.key as number | undefined) ?? 0
}

/** Deletes the log rows after `position` and the rows of the given streams. */
function removeAfter(db: IDBDatabase, position: number, streams: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const tx = db.transaction([EVENTS, STREAMS], 'readwrite', { durability: 'relaxed' })
    tx.objectStore(EVENTS).delete(IDBKeyRange.lowerBound(position, true))
    for (const stream of streams) tx.objectStore(STREAMS).delete(IDBKeyRange.bound([stream, -Infinity], [stream, Infinity]))
    tx.oncomplete = () => resolve()
    tx.onabort = () => reject(tx.error)
  })
}

/** (2) Aggregate loads: Tally streams of 100, 1,000 and 10,000 events, and 10,000 from a snapshot. */
async function load({ scale, durability, stored }: RoundOptions): Promise<RoundResult> {
  const shared = stored === undefined ? undefined : await storedFixture(stored, durability)
  const fx = shared?.fx ?? (await openFixture('load', durability))
  let totals = shared?.totals
  try {
    if (!totals) {
      const seedItems = tallyItems()
      await seed(fx.raw, seedItems)
      await settle(fx.raw)
      totals = await tallySnapshot(fx.raw, seedItems)
    }

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
    if (!shared) await fx.dispose()
  }
}

const TALLY_LENGTHS = [100, 1_000, 10_000]

/** The Tally streams of 100, 1,000 and 10,000 events, interleaved, so a stream's events are spread over the log as they are in use. */
function tallyItems(): SeedItem[] {
  const items: SeedItem[] = []
  for (let i = 0; i < 10_000; i++) {
    for (const length of TALLY_LENGTHS) if (i < length) items.push({ event: Added({ amount: 1 + (i % 7) }), stream: `Tally$s${length}` })
  }
  return items
}

/** Puts the 10,000-event stream's snapshot at version 9,989 (a load replays the last 10 events); resolves with each stream's total. */
async function tallySnapshot(db: IDBDatabase, items: readonly SeedItem[]): Promise<Map<number, number>> {
  const totals = new Map<number, number>()
  for (const { event, stream } of items) {
    if (!stream?.startsWith('Tally$s')) continue
    const length = Number(stream.slice('Tally$s'.length))
    totals.set(length, (totals.get(length) ?? 0) + (event.data as { amount: number }).amount)
  }
  const big = items.filter((item) => item.stream === 'Tally$s10000')
  const at = 9_989
  const state = big.slice(0, at + 1).reduce(
    (s, item) => ({ ...s, total: s.total + (item.event.data as { amount: number }).amount, count: s.count + 1 }),
    { total: 0, count: 0, closed: false },
  )
  await putSnapshot(db, { stream: 'Tally$s10000', version: at, eventId: big[at]!.event.eventId, schemaVersion: 1, state, takenAt: new Date() })
  return totals
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
async function log100k({ scale, durability, stored, warmup }: RoundOptions): Promise<RoundResult> {
  const shared = stored === undefined ? undefined : await storedFixture(stored, durability)
  const fx = shared?.fx ?? (await openFixture('log', durability))
  const samples: Record<string, Samples> = {}
  const notes: Record<string, number> = {}
  let total = scaled(100_000, scale)
  let cartIds: string[]
  try {
    const seeding = now()
    if (shared) {
      // The whole shared log: its events, the Tally streams and what earlier rounds appended.
      total = await request(fx.raw.transaction(EVENTS).objectStore(EVENTS).count())
      // Each round commands carts no earlier round touched (while there are enough of them).
      const start = (shared.commandRounds++ * 80) % shared.carts.length
      cartIds = [...shared.carts.slice(start), ...shared.carts.slice(0, start)]
    } else {
      const carts = Math.max(2, Math.floor(total / CART_LENGTH))
      cartIds = Array.from({ length: carts }, (_, i) => `c${i}`)
      await seed(fx.raw, Array.from({ length: total }, (_, i) => ({ event: itemAdded(`c${i % carts}`, i), stream: `Cart$c${i % carts}` })))
      await settle(fx.raw)
    }
    const tenK = Math.min(10_000, total)
    notes.seedMs = now() - seeding

    // (3) Every event, in batches of 500; twice each, A B A B. On the growth run's shared log,
    // once each a round, and not in its warm-up: a pass over 1,000,000 events takes a while,
    // and settle() has already read that log once.
    const catchUp: Samples = { kiroku: [], raw: [] }
    const passes = shared ? (warmup ? 0 : 1) : 2
    for (let i = 0; i < passes; i++) {
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
    const commands = Math.min(40, Math.floor(cartIds.length / 2))
    const commanding = now()
    for (let i = 0; i < commands; i++) {
      // A catalog product at its catalog price: the domain refuses anything else.
      const product = catalog[i % catalog.length]!
      const item = { itemId: product.id, quantity: 1, price: product.price }
      handledAt = NaN
      let start = now()
      await addItem(repository, { ...item, cartId: cartIds[2 * i]! })
      s.kiroku.push(handledAt - start)
      handledAt = NaN
      start = now()
      await rawAddItem(fx.raw, { ...item, cartId: cartIds[2 * i + 1]! }, () => void (handledAt = now()), durability)
      s.raw.push(handledAt - start)
    }
    off()
    if (s.kiroku.some(Number.isNaN) || s.raw.some(Number.isNaN)) throw new Error('a command did not reach its handler')
    samples['command-ui'] = s
    notes.commandsMs = now() - commanding
    // The growth run leaves the projections out: they write a read-model row per event, so a
    // shared log would hold the last round's rows and checkpoints, and over 1,000,000 events
    // they would take a quarter of an hour a round. Their cost does not depend on the log's size.
    if (shared) return { samples, notes }

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
    if (!shared) await fx.dispose()
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

// ——— the growth run's shared database ———

interface StoredFixture {
  fx: Fixture
  /** The Tally streams' totals (the load case). */
  totals: Map<number, number>
  /** The background carts, 50 events each, no snapshot. */
  carts: string[]
  /** Rounds of the append case so far: each appends to streams of its own. */
  rounds: number
  /** Rounds of the log case so far: each commands other carts. */
  commandRounds: number
}

let storedKey: string | undefined
let storedNow: Promise<StoredFixture> | undefined

/**
 * The growth run's database for `stored` events, seeded once and kept open for every round of
 * the append, load and log cases at that size; asking for another size deletes the last one.
 * Sharing is fair because those rounds only read it or add a little of their own: appends go to
 * new streams and are deleted again at the end of their round, each round of commands takes
 * carts no earlier round touched, catch-up counts the whole log as it is, and loads only read.
 *
 * What it holds: `stored` Cart.ItemAdded events in carts of 50 (no snapshots), written 100,000 at
 * a time with each batch's carts interleaved, and the load case's Tally streams (11,100 events)
 * woven into the middle batch.
 */
function storedFixture(stored: number, durability: Durability): Promise<StoredFixture> {
  const key = `${stored}/${durability}`
  if (storedKey !== key || !storedNow) {
    const previous = storedNow
    storedKey = key
    storedNow = (async () => {
      await previous?.then((old) => old.fx.dispose(), () => undefined)
      return seedStored(stored, durability)
    })()
  }
  return storedNow
}

const STORED_BATCH = 100_000

/** The events of one batch of carts (`size` events, carts of 50 named after the batch). */
function cartBatch(batch: number, size: number): { ids: string[]; items: SeedItem[] } {
  const n = Math.max(1, Math.floor(size / CART_LENGTH))
  const ids = Array.from({ length: n }, (_, j) => `s${batch}-${j}`)
  const items = Array.from({ length: size }, (_, i) => ({ event: itemAdded(ids[i % n]!, batch * STORED_BATCH + i), stream: `Cart$${ids[i % n]!}` }))
  return { ids, items }
}

/** `b` spread evenly through `a`. */
function interleave<T>(a: readonly T[], b: readonly T[]): T[] {
  const out: T[] = []
  let j = 0
  a.forEach((item, i) => {
    out.push(item)
    while (j < b.length && j * a.length <= i * b.length) out.push(b[j++]!)
  })
  while (j < b.length) out.push(b[j++]!)
  return out
}

async function seedStored(stored: number, durability: Durability): Promise<StoredFixture> {
  const fx = await openFixture(`stored-${stored}`, durability)
  const batches = Math.max(1, Math.ceil(stored / STORED_BATCH))
  const tally = tallyItems()
  const carts: string[] = []
  for (let batch = 0; batch < batches; batch++) {
    const { ids, items } = cartBatch(batch, Math.min(STORED_BATCH, stored - batch * STORED_BATCH))
    carts.push(...ids)
    // seed() numbers each stream from 0, so a stream's events must all be in one call: they are.
    await seed(fx.raw, batch === Math.floor(batches / 2) ? interleave(items, tally) : items)
  }
  await settle(fx.raw)
  const totals = await tallySnapshot(fx.raw, tally)
  return { fx, totals, carts, rounds: 0, commandRounds: 0 }
}

// ——— storage and durability ———

/**
 * (9) Bytes on disk per event: `navigator.storage.estimate()` before and after seeding
 * 100,000 × scale Cart.ItemAdded events (as the log case stores them) into a fresh database of an
 * origin holding nothing else (the runner opens this case on a fresh port), beside the size of
 * the same event rows as JSON. Seeded 100,000 at a time, as the growth run's log.
 */
async function storage({ scale }: RoundOptions): Promise<RoundResult> {
  const total = scaled(100_000, scale)
  type Estimate = StorageEstimate & { usageDetails?: Record<string, number> }
  const estimate = async (): Promise<Estimate | undefined> => (typeof navigator !== 'undefined' && navigator.storage?.estimate ? navigator.storage.estimate() : undefined)
  const used = (e: Estimate | undefined) => e?.usageDetails?.indexedDB ?? e?.usage ?? NaN
  const fx = await openFixture('storage', 'default')
  let deleted = false
  try {
    // The database exists (its schema written) before the first estimate: what is left is the events.
    const before = await estimate()
    const encoder = new TextEncoder()
    let jsonBytes = 0
    let streamJsonBytes = 0
    let position = 0
    const seeding = now()
    for (let batch = 0; batch * STORED_BATCH < total; batch++) {
      const { items } = cartBatch(batch, Math.min(STORED_BATCH, total - batch * STORED_BATCH))
      const at = new Date()
      const versions = new Map<string, number>()
      for (const { event, stream } of items) {
        position += 1
        jsonBytes += encoder.encode(JSON.stringify({ ...toRecord(event, event.eventId, at), position })).length
        const version = (versions.get(stream!) ?? -1) + 1
        versions.set(stream!, version)
        streamJsonBytes += encoder.encode(JSON.stringify({ stream, position: version, eventId: event.eventId, globalPosition: position, type: event.type, joinOrder: 0 })).length
      }
      await seed(fx.raw, items)
    }
    await settle(fx.raw)
    const seedMs = now() - seeding
    const open = await estimate()
    // Closed, so whatever the backend still held in memory is written out.
    fx.store.close()
    fx.raw.close()
    const closed = await estimate()
    const bytes = used(closed) - used(before)
    const notes: Record<string, number> = {
      events: total,
      seedMs,
      usageBefore: used(before),
      usageOpen: used(open),
      usageClosed: used(closed),
      diskBytesPerEventOpen: (used(open) - used(before)) / total,
      jsonBytesPerEvent: jsonBytes / total,
      streamRowJsonBytesPerEvent: streamJsonBytes / total,
    }
    await request(indexedDB.deleteDatabase(fx.name))
    deleted = true
    return { samples: { 'storage-bytes': { kiroku: Number.isFinite(bytes) ? [bytes / total] : [], raw: [jsonBytes / total] } }, notes }
  } finally {
    if (!deleted) await fx.dispose()
  }
}

/**
 * (9) What `durability: 'strict'` costs: a 1-event checked append and the addItem command (load
 * a cart of 20 events, decide, append), each timed until committed, on a store opened with the
 * browser's default durability and on one opened with 'strict', A B A B in the same round; the
 * baseline does the same by hand with the same durability. Independent of --durability.
 */
async function durability({ scale }: RoundOptions): Promise<RoundResult> {
  const modes = ['default', 'strict'] as const
  const fixtures = { default: await openFixture('durability-default', 'default'), strict: await openFixture('durability-strict', 'strict') }
  const samples: Record<string, Samples> = {}
  try {
    const n = scaled(30, Math.sqrt(scale))
    for (const mode of modes) {
      const fx = fixtures[mode]
      const items: SeedItem[] = []
      for (let i = 0; i < 20 * 2 * n; i++) {
        const cart = `${i % 2 ? 'r' : 'k'}${Math.floor(i / 2) % n}`
        items.push({ event: itemAdded(cart, i), stream: `Cart$${cart}` })
      }
      await seed(fx.raw, items)
      await settle(fx.raw)
      samples[`durable-append-${mode}`] = { kiroku: [], raw: [] }
      samples[`durable-command-${mode}`] = { kiroku: [], raw: [] }
    }
    const repositories = { default: new AggregateRepository(fixtures.default.store), strict: new AggregateRepository(fixtures.strict.store) }
    for (let i = 0; i < n; i++) {
      for (const mode of modes) {
        const fx = fixtures[mode]
        const s = samples[`durable-append-${mode}`]!
        s.kiroku.push(await time(() => fx.store.append([itemAdded('k', i)], { stream: 'Cart$append-k', expectedVersion: i - 1 })))
        s.raw.push(await time(() => raw.checkedAppend(fx.raw, 'Cart$append-r', i - 1, toRecords([itemAdded('r', i)]), mode)))
      }
      for (const mode of modes) {
        const product = catalog[i % catalog.length]!
        const item = { itemId: product.id, quantity: 1, price: product.price }
        const s = samples[`durable-command-${mode}`]!
        s.kiroku.push(await time(() => addItem(repositories[mode], { ...item, cartId: `k${i}` })))
        s.raw.push(await time(() => rawAddItem(fixtures[mode].raw, { ...item, cartId: `r${i}` }, () => undefined, mode)))
      }
    }
    return { samples }
  } finally {
    await fixtures.default.dispose()
    await fixtures.strict.dispose()
  }
}

export const cases = { append, load, log100k, storage, durability } satisfies Record<string, (options: RoundOptions) => Promise<RoundResult>>
export type CaseId = keyof typeof cases
