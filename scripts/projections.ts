// npm run projections -- list [<subscription>]
// npm run projections -- retry <subscription> all | <global position> | <event id>
//
// The operator's view of the server projections' parked events (server/projections/parkedEvents.ts):
// list them with their error; once the cause is fixed, retry one or all. A stream's parked events
// are retried in commit order, stopping at the first that fails again: the events of a stream
// behind a parked one were parked too (never applied out of order). The database is the
// server's: DATABASE_URL, else PGlite's folder (KIROKU_DATA_DIR, default .kiroku/db). On
// PostgreSQL this runs beside the server. PGlite's folder is opened by one process at a time, so
// with PGlite stop the server first, run this, then start the server again.
import { existsSync } from 'node:fs'
import { loadConfig } from '../server/config'
import type { Db } from '../src/server/db/Db'
import { DataDirInUse, lockDataDir } from '../src/server/db/lockDataDir'
import { migrations } from '../src/server/db/migrate'
import { openPglite } from '../src/server/db/pglite'
import { openPostgres } from '../src/server/db/postgres'
import { parkedEvents, retryParked, type ParkedEvent, type RetryOptions, type Subscription } from '../src/server/projections'
import { serverProjections } from '../server/shop'

const USAGE = `Usage:
  npm run projections -- list [<subscription>]
  npm run projections -- retry <subscription> all | <global position> | <event id>
A stream's parked events are retried in their order (an event named is retried with its stream), stopping at the first that fails again.
Subscriptions: ${serverProjections.map((projection) => projection.name).join(', ')}`

class UsageError extends Error {}

async function open(): Promise<{ db: Db; where: string; close(): Promise<void> }> {
  const config = loadConfig()
  if (config.databaseUrl) {
    const db = await openPostgres(config.databaseUrl, { max: 2 })
    return { db, where: 'PostgreSQL (DATABASE_URL)', close: () => db.close() }
  }
  // PGlite would make an empty database in a folder that is not there: say so instead.
  if (!existsSync(config.dataDir)) throw new Error(`No database in ${config.dataDir} (KIROKU_DATA_DIR); set DATABASE_URL for a PostgreSQL.`)
  let release: () => void
  try {
    release = lockDataDir(config.dataDir)
  } catch (error) {
    if (!(error instanceof DataDirInUse)) throw error
    throw new Error(
      `${config.dataDir} is open in process ${error.pid} (the server, by its lock file ${error.lockFile}). PGlite's folder is opened by one process ` +
        'at a time: stop the server (Ctrl-C or SIGTERM; it stops within 10 s), run this again, then start the server. Parked events wait meanwhile.',
    )
  }
  try {
    const db = await openPglite(config.dataDir)
    return { db, where: `PGlite in ${config.dataDir}`, close: async () => void (await db.close(), release()) }
  } catch (error) {
    release()
    throw error
  }
}

/** Refuses a database the server of this version has not migrated: this script changes no schema. */
async function checkMigrated(db: Db): Promise<void> {
  const [{ present }] = (await db.query<{ present: boolean }>("SELECT to_regclass('schema_migrations') IS NOT NULL AS present")) as [{ present: boolean }]
  const rows = present ? await db.query<{ version: number }>('SELECT version FROM schema_migrations') : []
  const applied = new Set(rows.map((row) => row.version))
  const missing = migrations().filter((migration) => !applied.has(migration.version))
  if (missing.length > 0) {
    throw new Error(`The database lacks migrations ${missing.map((migration) => migration.name).join(', ')}: start this version's server once (it applies them), then run this again.`)
  }
}

function describeParked(event: ParkedEvent): string {
  return [
    `  ${event.subscription}  global position ${event.globalPosition}  event ${event.eventId}  ${event.type}  stream ${event.stream}`,
    `    parked ${event.parkedAt.toISOString()}, ${event.attempts} ${event.attempts === 1 ? 'try' : 'tries'}, last ${event.triedAt.toISOString()}`,
    `    ${event.error.code}: ${event.error.message.replace(/\s+/g, ' ')}`,
  ].join('\n')
}

type Command =
  | { command: 'list'; subscription: Subscription | undefined }
  | { command: 'retry'; subscription: Subscription; target: string; options: RetryOptions }

/** The command the arguments name, checked before any database is opened. */
function parse([command, name, target]: string[]): Command {
  if (command === 'list') return { command, subscription: name === undefined ? undefined : subscriptionNamed(name) }
  if (command !== 'retry') throw new UsageError(command === undefined ? 'Say what to do.' : `Unknown command "${command}".`)
  if (name === undefined || target === undefined) throw new UsageError('retry needs a subscription and all, a global position or an event id.')
  const options = target === 'all' ? {} : /^\d+$/.test(target) ? { globalPosition: Number(target) } : { eventId: target }
  return { command, subscription: subscriptionNamed(name), target, options }
}

function subscriptionNamed(name: string): Subscription {
  const subscription = serverProjections.find((projection) => projection.name === name)
  if (subscription === undefined) throw new UsageError(`No server projection named "${name}".`)
  return subscription
}

async function list(db: Db, subscription: Subscription | undefined): Promise<number> {
  const parked = await parkedEvents(db, subscription?.name)
  if (parked.length === 0) {
    console.log(`No parked events${subscription === undefined ? '' : ` for ${subscription.name}`}.`)
    return 0
  }
  console.log(`${parked.length} parked ${parked.length === 1 ? 'event' : 'events'} (retry with: npm run projections -- retry <subscription> all | <global position> | <event id>):`)
  for (const event of parked) console.log(describeParked(event))
  return 0
}

async function retry(db: Db, subscription: Subscription, target: string, options: RetryOptions): Promise<number> {
  const { name } = subscription
  const results = await retryParked(db, subscription, options)
  if (results.length === 0) {
    console.log(`Nothing parked for ${name}${target === 'all' ? '' : ` at ${target}`}.`)
    return target === 'all' ? 0 : 1
  }
  for (const result of results) {
    const what = `${name}  global position ${result.globalPosition}  event ${result.eventId}  ${result.type}`
    if (result.applied) console.log(`  applied: ${what}`)
    else if (result.behind) console.log(`  not tried, still parked behind it: ${what}`)
    else console.log(`  failed again, still parked: ${what}\n    ${result.error!.code}: ${result.error!.message.replace(/\s+/g, ' ')}`)
  }
  const failed = results.filter((result) => !result.applied).length
  console.log(
    `${results.length - failed} applied, ${failed} still parked. Each stream's parked events were applied in their order, ` +
      'after the events of other streams that followed them; a stream stops at the first that fails again.',
  )
  return failed === 0 ? 0 : 1
}

async function main(args: string[]): Promise<number> {
  const command = parse(args)
  const { db, where, close } = await open()
  try {
    await checkMigrated(db)
    console.log(`Server projections in ${where}.`)
    return command.command === 'list' ? await list(db, command.subscription) : await retry(db, command.subscription, command.target, command.options)
  } finally {
    await close()
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof UsageError ? `${error.message}\n${USAGE}` : `kiroku projections: ${error instanceof Error ? error.message : String(error)}`)
    process.exit(error instanceof UsageError ? 64 : 1)
  },
)
