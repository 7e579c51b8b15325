// Item 1: server push throughput and latency. N simulated devices over HTTP on loopback to a real
// server process (the load generator is this process), each its own account with its own cart,
// push small cart commits (1–3 events, expected versions) in a closed loop: accepted commits per
// second and the time of each push. Beside it, in the same run, the same rows written by hand into
// the same schema through one `pg` pool of the server's size (bench/sync/server/rawAppend.ts), at
// the same concurrency. On PostgreSQL (durable cluster) and on PGlite (the server in a data folder;
// the baseline raw PGlite in another). After each run, every accepted event is counted stored once.
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import pg from 'pg'
import { startServer, type ServerProcess } from '../../../test/server/support/serverProcess'
import { HttpDevice } from '../client'
import { cpuMeter, postmasterOf, type CpuMeter } from '../server/cpu'
import { closedLoop, freshCarts, type LoopResult, type Pusher } from '../server/closedLoop'
import { assertExactlyOnce, countStored, createSchemaDatabase, insertAccounts, openSchemaPglite } from '../server/databases'
import { pgliteTransaction, poolTransaction, rawAppend, type RawTransaction } from '../server/rawAppend'
import { latency, latencyText, num, ratioText, status } from '../stats'
import type { Section, SectionContext, SyncRow } from '../types'

/** The server's pool size (server/db/postgres.ts); the baseline's pool is as large. */
const POOL_SIZE = 10
/** Sign-ups at a time: each is a scrypt hash on the server's thread pool. */
const SIGNUPS_AT_ONCE = 8
/** How long a server may take to answer its health check after it starts. */
const STARTUP_MS = 300_000

interface Timing {
  warmupMs: number
  measureMs: number
}

interface Measured {
  n: number
  kiroku: LoopResult
  baseline: LoopResult
  load: number[]
}

export const section: Section = {
  item: '1',
  title: 'Server push throughput and latency',
  async run(context) {
    const sizes = context.quick ? [10, 50] : [10, 100, 500]
    const timing: Timing = context.quick ? { warmupMs: 1_000, measureMs: 3_000 } : { warmupMs: 2_000, measureMs: 10_000 }
    const rows: SyncRow[] = []
    rows.push(...toRows('postgres', await onPostgres(context, sizes, timing), timing))
    // PGlite is one connection in the server's process, the small deployment's engine: 500 devices
    // queue minutes on it (a run's closed loop timed out), so it runs up to 100.
    rows.push(...toRows('pglite', await onPglite(context, sizes.filter((n) => n <= 100), timing), timing))
    return rows
  },
}

const load = () => os.loadavg().map((value) => Number(value.toFixed(2)))

/** Signs `count` accounts up over HTTP, a few at a time; one device each. */
async function signUpDevices(base: string, count: number, prefix: string): Promise<HttpDevice[]> {
  const devices: HttpDevice[] = []
  for (let from = 0; from < count; from += SIGNUPS_AT_ONCE) {
    const batch = Array.from({ length: Math.min(SIGNUPS_AT_ONCE, count - from) }, (_, i) => HttpDevice.signUp(base, `${prefix}-${from + i}@bench.example`))
    devices.push(...(await Promise.all(batch)))
  }
  return devices
}

const httpPushers = (devices: readonly HttpDevice[], server: ServerProcess): Pusher[] =>
  freshCarts(devices.length).map((carts, i) => ({
    carts,
    push: async (commit) => {
      try {
        return (await devices[i]!.push([commit])).results[0]!
      } catch (error) {
        // fetch's own message says only "fetch failed": the cause, and what the server said last.
        const cause = error instanceof Error && error.cause !== undefined ? ` (${String(error.cause)})` : ''
        throw new Error(`push through ${server.base}: ${String(error)}${cause}\n--- server output ---\n${server.output().slice(-2_000)}`)
      }
    },
  }))

const rawPushers = (transaction: RawTransaction, userIds: readonly string[]): Pusher[] =>
  freshCarts(userIds.length).map((carts, i) => ({ carts, push: (commit) => rawAppend(transaction, userIds[i]!, `bench-device-${i}`, commit) }))

/** Runs the server's loop then the baseline's for each N; checks both stores count exactly the accepted events. */
async function measureAll(
  context: SectionContext,
  engine: string,
  sizes: readonly number[],
  timing: Timing,
  kirokuPushers: (n: number) => Pusher[],
  baselinePushers: (n: number) => Pusher[],
  meters: { kiroku: CpuMeter; baseline: CpuMeter },
): Promise<{ measured: Measured[]; kirokuEvents: number; baselineEvents: number }> {
  const measured: Measured[] = []
  let kirokuEvents = 0
  let baselineEvents = 0
  for (const n of sizes) {
    const kiroku = await closedLoop(kirokuPushers(n), timing, meters.kiroku)
    kirokuEvents += kiroku.acceptedEvents
    const baseline = await closedLoop(baselinePushers(n), timing, meters.baseline)
    baselineEvents += baseline.acceptedEvents
    // The in-process baseline (raw PGlite) keeps this process busy: let the server's idle
    // kept-alive connections (5 s) close and be seen closed before the next HTTP loop reuses one.
    if (engine === 'pglite') await new Promise((resolve) => setTimeout(resolve, 6_000))
    const at = load()
    context.log(
      `${engine}, ${n} devices: Kiroku ${num(kiroku.rate)} commits/s (${latencyText(latency(kiroku.samples))}), ` +
        `baseline ${num(baseline.rate)} commits/s (${latencyText(latency(baseline.samples))}) · load ${at.join(' ')}\n` +
        `      CPU ms per commit: Kiroku ${cpuText(kiroku)}; baseline ${cpuText(baseline)}`,
    )
    measured.push({ n, kiroku, baseline, load: at })
  }
  return { measured, kirokuEvents, baselineEvents }
}

async function onPostgres(context: SectionContext, sizes: readonly number[], timing: Timing): Promise<Measured[]> {
  const cluster = await context.postgres()
  const baselineUrl = await createSchemaDatabase(cluster.url, 'push_baseline')
  const postmaster = postmasterOf(cluster.port)
  const server = await startServer({ DATABASE_URL: cluster.url }, { timeoutMs: STARTUP_MS })
  context.defer(() => stopQuietly(server))
  const most = Math.max(...sizes)
  const signUpStarted = Date.now()
  const devices = await signUpDevices(server.base, most, 'push')
  context.log(`postgres: ${most} accounts signed up in ${Date.now() - signUpStarted} ms`)
  const pool = new pg.Pool({ connectionString: baselineUrl, max: POOL_SIZE })
  context.defer(() => pool.end())
  const userIds = await insertAccounts(pool, 'push-baseline-', most)
  const transaction = poolTransaction(pool)
  const { measured, kirokuEvents, baselineEvents } = await measureAll(
    context,
    'postgres',
    sizes,
    timing,
    (n) => httpPushers(devices.slice(0, n), server),
    (n) => rawPushers(transaction, userIds.slice(0, n)),
    { kiroku: cpuMeter({ serverPid: server.pid, postmaster }), baseline: cpuMeter({ postmaster }) },
  )
  const server_ = new pg.Client({ connectionString: cluster.url })
  await server_.connect()
  try {
    assertExactlyOnce('postgres, Kiroku', await countStored(server_), kirokuEvents)
  } finally {
    await server_.end()
  }
  assertExactlyOnce('postgres, baseline', await countStored(pool), baselineEvents)
  context.log(`postgres: ${kirokuEvents} events accepted through the server and ${baselineEvents} by the baseline, each stored once, positions gapless`)
  return measured
}

async function onPglite(context: SectionContext, sizes: readonly number[], timing: Timing): Promise<Measured[]> {
  const dir = mkdtempSync(join(os.tmpdir(), 'kiroku-push-'))
  context.defer(() => rmSync(dir, { recursive: true, force: true }))
  const serverDir = join(dir, 'server')
  // The baseline's PGlite first: its initdb runs in this process and holds its event loop for
  // seconds, while kept-alive connections to the server (the health check's, the sign-ups') would
  // be closed by the server unnoticed, and the next request on one would fail.
  const raw = await openSchemaPglite(join(dir, 'baseline'))
  context.defer(() => raw.close())
  // PGlite's initdb of a new folder takes seconds, many more on a busy machine.
  const server = await startServer({ KIROKU_DATA_DIR: serverDir }, { timeoutMs: STARTUP_MS })
  context.defer(() => stopQuietly(server))
  const most = Math.max(...sizes)
  const devices = await signUpDevices(server.base, most, 'push')
  const userIds = await insertAccounts(raw, 'push-baseline-', most)
  const transaction = pgliteTransaction(raw)
  const { measured, kirokuEvents, baselineEvents } = await measureAll(
    context,
    'pglite',
    sizes,
    timing,
    (n) => httpPushers(devices.slice(0, n), server),
    (n) => rawPushers(transaction, userIds.slice(0, n)),
    // PGlite runs inside its process: the server's CPU is the database's too, the baseline's is this process's.
    { kiroku: cpuMeter({ serverPid: server.pid }), baseline: cpuMeter({}) },
  )
  assertExactlyOnce('pglite, baseline', await countStored(raw), baselineEvents)
  // PGlite's folder is one process's at a time: count the server's after it stopped.
  await server.stop()
  const stored = new PGlite(serverDir)
  try {
    assertExactlyOnce('pglite, Kiroku', await countStored(stored), kirokuEvents)
  } finally {
    await stored.close()
  }
  context.log(`pglite: ${kirokuEvents} events accepted through the server and ${baselineEvents} by the baseline, each stored once, positions gapless`)
  return measured
}

async function stopQuietly(server: ServerProcess): Promise<void> {
  await server.stop()
}

function toRows(engine: 'postgres' | 'pglite', measured: readonly Measured[], timing: Timing): SyncRow[] {
  return measured.flatMap(({ n, kiroku, baseline, load: at }) => {
    const ratio = kiroku.rate / baseline.rate
    const ours = latency(kiroku.samples)
    const theirs = latency(baseline.samples)
    const detail = { devices: n, accounts: n, poolSize: POOL_SIZE, ...timing, load: at, kiroku: summary(kiroku), baseline: summary(baseline) }
    const rateGoal = n === 100
    const latencyGoal = n === 100 && engine === 'postgres'
    return [
      {
        item: '1',
        id: `push-${engine}-${n}-rate`,
        label: `push, ${n} devices: accepted commits/s`,
        engine,
        kiroku: `${num(kiroku.rate)} commits/s`,
        baseline: `${num(baseline.rate)} commits/s`,
        ratio: ratioText(ratio),
        goal: rateGoal ? '≥ 0.5× baseline' : '—',
        status: rateGoal ? status([[ratio >= 0.5, 'below 0.5× baseline']]) : '—',
        detail,
      },
      {
        item: '1',
        id: `push-${engine}-${n}-latency`,
        label: `push, ${n} devices: time per push`,
        engine,
        kiroku: latencyText(ours),
        baseline: latencyText(theirs),
        ratio: ratioText(ours.p95 / theirs.p95),
        goal: latencyGoal ? 'p95 < 50 ms' : '—',
        status: latencyGoal ? status([[ours.p95 < 50, 'p95 ≥ 50 ms']]) : '—',
        detail,
      },
    ]
  })
}

/** CPU ms per commit answered in the window: server, database, load generator. */
function cpuPerCommit(result: LoopResult): { server: number; database: number; generator: number } | undefined {
  if (result.cpu === undefined || result.commits === 0) return undefined
  const per = (ms: number) => ms / result.commits
  return { server: per(result.cpu.server), database: per(result.cpu.database), generator: per(result.cpu.generator) }
}

function cpuText(result: LoopResult): string {
  const per = cpuPerCommit(result)
  return per === undefined ? '—' : `server ${num(per.server)} · database ${num(per.database)} · this process ${num(per.generator)}`
}

const summary = (result: LoopResult) => ({
  cpuMsPerCommit: cpuPerCommit(result), commits: result.commits, events: result.events, rate: result.rate, latency: latency(result.samples), acceptedCommits: result.acceptedCommits, acceptedEvents: result.acceptedEvents })
