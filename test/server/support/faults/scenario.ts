// Faults under load, as one run shared by the test (test/server/faults*.test.ts, which asserts the
// outcomes) and the bench (bench/sync/sections/5-faults.ts, which prints the counts and times):
// a real server process behind a cutting proxy, two SyncEngine devices a user making commands
// all the while, and the faults injected one after another:
//   kill      the server process SIGKILLed and started again at once on the same port and data
//   postgres  PostgreSQL restarted under it (fast shutdown: every connection cut)
//   cut       connections cut after the server answered a push with an accepted commit, before
//             the device read the answer
// After each fault: how long until the server held every event the devices had written before
// it was over. After the load: how long until every device settled, then what the server stores
// (SQL) against what the devices wrote and hold.
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Db } from '../../../../src/server/db/Db'
import { openPglite } from '../../../../src/server/db/pglite'
import { openPostgres } from '../../../../src/server/db/postgres'
import type { SyncReport } from '../../../../src/sync'
import type { PostgresCluster } from '../postgres'
import { emptyTally, openFaultDevice, session, type FaultDevice, type Tally, type User } from './devices'
import { startCuttingProxy } from './proxy'
import { startRestartableServer } from './server'

export type FaultKind = 'kill' | 'postgres' | 'cut'

export interface ScenarioOptions {
  /** PostgreSQL (this cluster, which the `postgres` fault restarts) or PGlite in a temp folder. */
  engine: { postgres: PostgresCluster } | 'pglite'
  /** Devices, two a user. */
  devices: number
  faults: readonly FaultKind[]
  /** Connections the `cut` fault cuts (default 3). */
  cuts?: number
  /** A device's mean pause between two commands, in ms (each pause is 0.5–1.5× this). */
  commandEveryMs: number
  /** Load before the first fault, and between the end of one fault's convergence and the next fault, in ms. */
  warmupMs: number
  betweenMs: number
  log?: (...parts: unknown[]) => void
}

export interface FaultRecord {
  kind: FaultKind
  /** What was injected: 1 kill, 1 restart, or the connections cut. */
  injected: number
  /** From the fault's start to its end: the server healthy again, PostgreSQL up again, the last cut made. */
  outageMs: number
  /** Events the devices had written and the server had not confirmed when the fault ended. */
  waiting: number
  /** From the fault's end until the server confirmed all of them to their devices (NaN: not within a minute). */
  convergeMs: number
  /** The same for the median device among those that had events waiting. */
  deviceMedianMs: number
  /** From the fault's end to the first push answered after it (a device's retry getting through). */
  firstAnswerMs: number
}

export interface ScenarioResult {
  devices: number
  users: number
  /** Every device's tally, added up. */
  tally: Tally
  /** Events the devices wrote, and events the server stores. */
  written: number
  stored: number
  faults: FaultRecord[]
  /** From the end of the load until every device had pushed everything and pulled up to its user's head (NaN: not within 3 minutes). */
  settleMs: number
  /** The first start of the server process, to healthy (a fresh database: migrations included). */
  serverStartMs: number
  /** The whole run, from the first command to the end of the load, in ms. */
  loadMs: number
  /** Commands that threw (none expected). */
  commandErrors: string[]
  /** Events a device wrote that the server does not store, and events it stores that no device wrote. */
  missing: string[]
  unexpected: string[]
  /** Event ids stored more than once. */
  storedTwice: string[]
  /** Users whose partition positions are not exactly 1…head, and streams whose positions are not 0…version. */
  partitionGaps: string[]
  streamGaps: string[]
  /** Events the devices report as rejected or dropped. */
  reports: SyncReport[]
  /** Devices whose synced streams differ from their user's streams on the server. */
  diverged: string[]
  /** The server processes' output, for a failing test's message. */
  output: string
}

const CONVERGE_WITHIN_MS = 60_000
/** After the load: a bound on liveness only, generous for a busy machine. */
const SETTLE_WITHIN_MS = 180_000
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Resolves with the ms `done` took to turn true, polled every 50 ms; NaN when it did not within `withinMs`. */
async function timeUntil(done: () => boolean | Promise<boolean>, withinMs = CONVERGE_WITHIN_MS): Promise<number> {
  const started = performance.now()
  while (!(await done())) {
    if (performance.now() - started > withinMs) return Number.NaN
    await sleep(50)
  }
  return performance.now() - started
}

export async function runFaultsUnderLoad(options: ScenarioOptions): Promise<ScenarioResult> {
  const log = options.log ?? (() => undefined)
  const temp = mkdtempSync(join(tmpdir(), 'kiroku-faults-'))
  const dataDir = join(temp, 'db')
  const storage = options.engine === 'pglite' ? { KIROKU_DATA_DIR: dataDir } : { DATABASE_URL: options.engine.postgres.url }
  const starting = performance.now()
  const server = await startRestartableServer(storage)
  const serverStartMs = performance.now() - starting
  const proxy = await startCuttingProxy(server.port)
  const devices: FaultDevice[] = []
  const cookies = new Map<string, string>()
  try {
    const users: User[] = []
    for (let i = 0; i < Math.ceil(options.devices / 2); i++) {
      const email = `shopper-${i}@faults.example`
      const first = await session(proxy.base, 'signup', email)
      const user = { email, userId: first.userId, sharedCartId: randomUUID() }
      users.push(user)
      cookies.set(user.userId, first.cookie)
      devices.push(await openFaultDevice(proxy.base, user, first.cookie, `${email} #1`))
      if (devices.length === options.devices) break
      const second = await session(proxy.base, 'login', email)
      devices.push(await openFaultDevice(proxy.base, user, second.cookie, `${email} #2`))
    }
    log(`${devices.length} devices of ${users.length} users on ${options.engine === 'pglite' ? 'PGlite' : 'PostgreSQL'}, through the proxy at ${proxy.base}`)

    // The load: every device makes a command, pauses, again, until told to stop.
    let loading = true
    const commandErrors: string[] = []
    const loadStarted = performance.now()
    const loops = devices.map(async (device) => {
      await sleep(Math.random() * options.commandEveryMs)
      while (loading) {
        try {
          await device.command()
        } catch (error) {
          commandErrors.push(`${device.name}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`)
        }
        await sleep(options.commandEveryMs * (0.5 + Math.random()))
      }
    })
    const waitingOnServer = () => devices.map((device) => [...device.written].filter((id) => !device.acknowledged.has(id)))

    await sleep(options.warmupMs)
    const faults: FaultRecord[] = []
    for (const kind of options.faults) {
      const started = performance.now()
      let injected = 1
      if (kind === 'kill') {
        await server.kill()
        await server.start()
      } else if (kind === 'postgres') {
        if (options.engine === 'pglite') throw new Error('the postgres fault needs PostgreSQL')
        await options.engine.postgres.restart()
      } else {
        injected = options.cuts ?? 3
        let allCut = false
        void proxy.cutAcceptedPushes(injected).then(() => (allCut = true))
        if (Number.isNaN(await timeUntil(() => allCut))) throw new Error(`the proxy cut ${proxy.cuts} of ${injected} pushes within a minute`)
      }
      const outageMs = performance.now() - started
      const pending = waitingOnServer()
      const waiting = pending.reduce((n, ids) => n + ids.length, 0)
      const ended = performance.now()
      const doneAfter = pending.map((ids) => (ids.length === 0 ? 0 : Number.NaN))
      let firstAnswerMs = Number.NaN
      const convergeMs = await timeUntil(() => {
        if (Number.isNaN(firstAnswerMs) && devices.some((device) => device.lastAnswer > ended)) firstAnswerMs = Math.min(...devices.map((device) => (device.lastAnswer > ended ? device.lastAnswer : Infinity))) - ended
        for (const [i, ids] of pending.entries()) if (Number.isNaN(doneAfter[i]) && ids.every((id) => devices[i]!.acknowledged.has(id))) doneAfter[i] = performance.now() - ended
        return doneAfter.every((ms) => !Number.isNaN(ms))
      })
      const waited = doneAfter.filter((ms, i) => pending[i]!.length > 0 && !Number.isNaN(ms)).sort((a, b) => a - b)
      const deviceMedianMs = waited.length ? waited[Math.ceil(waited.length / 2) - 1]! : Number.NaN
      faults.push({ kind, injected, outageMs, waiting, convergeMs, deviceMedianMs, firstAnswerMs })
      log(`${kind}: ${injected} injected, over after ${Math.round(outageMs)} ms; ${waiting} event(s) waiting then; the first push answered ${Math.round(firstAnswerMs)} ms later, all on the server ${Math.round(convergeMs)} ms later (median device ${Math.round(deviceMedianMs)} ms)`)
      await sleep(options.betweenMs)
    }

    loading = false
    await Promise.all(loops)
    const loadMs = performance.now() - loadStarted
    const heads = async () => {
      const entries = await Promise.all(
        users.map(async (user) => {
          const response = await fetch(`${proxy.base}/api/sync/pull?after=0&limit=1`, { headers: { cookie: cookies.get(user.userId)! } }).catch(() => null)
          return [user.userId, response?.status === 200 ? ((await response.json()) as { head: number }).head : Number.NaN] as const
        }),
      )
      return new Map(entries)
    }
    const settleMs = await timeUntil(async () => {
      if (devices.some((device) => device.engine.status.pending > 0 || [...device.written].some((id) => !device.acknowledged.has(id)))) return false
      const head = await heads()
      return devices.every((device) => device.engine.status.cursor === head.get(device.user.userId))
    }, SETTLE_WITHIN_MS)
    log(`load over after ${Math.round(loadMs)} ms; every device settled ${Math.round(settleMs)} ms later`)

    // What the server stores. PGlite's folder opens in one process at a time: stop the server first.
    let db: Db
    if (options.engine === 'pglite') {
      await server.stop()
      db = await openPglite(dataDir)
    } else {
      db = await openPostgres(options.engine.postgres.url, { max: 2 })
    }
    try {
      const checked = await check(db, devices)
      const tally = emptyTally()
      for (const device of devices) for (const key of Object.keys(tally) as Array<keyof Tally>) tally[key] += device.tally[key]
      return {
        devices: devices.length,
        users: users.length,
        tally,
        written: devices.reduce((n, device) => n + device.written.size, 0),
        faults,
        settleMs,
        serverStartMs,
        loadMs,
        commandErrors,
        ...checked,
        output: server.output(),
      }
    } finally {
      await db.close()
    }
  } finally {
    await Promise.all(devices.map((device) => device.close().catch(() => undefined)))
    await proxy.close()
    await server.stop().catch(() => undefined)
    rmSync(temp, { recursive: true, force: true })
  }
}

type Checked = Pick<ScenarioResult, 'stored' | 'missing' | 'unexpected' | 'storedTwice' | 'partitionGaps' | 'streamGaps' | 'reports' | 'diverged'>

/** The server's tables against the devices: every written event stored once, positions gapless, every device equal to its user's streams. */
async function check(db: Db, devices: readonly FaultDevice[]): Promise<Checked> {
  const rows = await db.query<{ event_id: string; user_id: string; stream: string }>(
    'SELECT event_id::text AS event_id, user_id::text AS user_id, stream FROM events ORDER BY stream, stream_position',
  )
  const storedIds = new Set(rows.map((row) => row.event_id))
  const written = new Set(devices.flatMap((device) => [...device.written]))
  const storedTwice = (await db.query<{ event_id: string }>('SELECT event_id::text AS event_id FROM events GROUP BY event_id HAVING count(*) > 1')).map((row) => row.event_id)
  const partitionGaps = (
    await db.query<{ user_id: string; head: string; n: string; distinct_n: string; lowest: string | null; highest: string | null }>(
      `SELECT p.user_id::text AS user_id, p.head::text AS head, count(e.event_id)::text AS n, count(DISTINCT e.partition_position)::text AS distinct_n,
              min(e.partition_position)::text AS lowest, max(e.partition_position)::text AS highest
       FROM partitions p LEFT JOIN events e ON e.user_id = p.user_id GROUP BY p.user_id, p.head`,
    )
  )
    .filter((row) => !(row.n === row.head && row.distinct_n === row.head && (row.head === '0' || (row.lowest === '1' && row.highest === row.head))))
    .map((row) => `user ${row.user_id}: head ${row.head}, ${row.n} event(s) at ${row.distinct_n} position(s) ${row.lowest}…${row.highest}`)
  const streamGaps = (
    await db.query<{ stream: string; version: string; n: string; distinct_n: string; lowest: string | null; highest: string | null }>(
      `SELECT s.stream, s.version::text AS version, count(e.event_id)::text AS n, count(DISTINCT e.stream_position)::text AS distinct_n,
              min(e.stream_position)::text AS lowest, max(e.stream_position)::text AS highest
       FROM streams s LEFT JOIN events e ON e.stream = s.stream GROUP BY s.stream, s.version`,
    )
  )
    .filter((row) => {
      const count = String(Number(row.version) + 1)
      return !(row.n === count && row.distinct_n === count && (row.version === '-1' || (row.lowest === '0' && row.highest === row.version)))
    })
    .map((row) => `${row.stream}: version ${row.version}, ${row.n} event(s) at ${row.distinct_n} position(s) ${row.lowest}…${row.highest}`)

  const byUser = new Map<string, Map<string, string[]>>()
  for (const row of rows) {
    const streams = byUser.get(row.user_id) ?? new Map<string, string[]>()
    streams.set(row.stream, [...(streams.get(row.stream) ?? []), row.event_id])
    byUser.set(row.user_id, streams)
  }
  const diverged: string[] = []
  const reports: SyncReport[] = []
  for (const device of devices) {
    reports.push(...(await device.reports()))
    const server = byUser.get(device.user.userId) ?? new Map<string, string[]>()
    const local = await device.streams()
    for (const stream of new Set([...server.keys(), ...local.keys()])) {
      const [theirs, ours] = [server.get(stream) ?? [], local.get(stream) ?? []]
      if (JSON.stringify(theirs) !== JSON.stringify(ours)) diverged.push(`${device.name}: ${stream} holds ${ours.length} event(s), the server ${theirs.length} (first difference at ${ours.findIndex((id, i) => theirs[i] !== id)})`)
    }
  }
  return {
    stored: rows.length,
    missing: [...written].filter((id) => !storedIds.has(id)),
    unexpected: [...storedIds].filter((id) => !written.has(id)),
    storedTwice,
    partitionGaps,
    streamGaps,
    reports,
    diverged,
  }
}
