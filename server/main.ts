// The sync server's process: settings, database (PostgreSQL or PGlite behind a lock file),
// migrations, server projections, pruning of what expired, the HTTP app on a Node server with
// its connection limits, and a clean stop on SIGTERM/SIGINT within 10 s.
import { mkdirSync } from 'node:fs'
import { startPruning } from './accounts'
import { loadConfig } from './config'
import type { Db } from './db/Db'
import { lockDataDir } from './db/lockDataDir'
import { migrate } from './db/migrate'
import { openPglite } from './db/pglite'
import { openPostgres } from './db/postgres'
import { createApp } from './http'
import { ownHostOnly } from './http/guards'
import { describeLimits, listen } from './http/listen'
import { serverProjections, subscribe } from './projections'

const STOP_WITHIN_MS = 10_000

async function main(): Promise<void> {
  const config = loadConfig()
  let release = () => {}
  let db: Db
  if (config.databaseUrl) {
    db = await openPostgres(config.databaseUrl)
  } else {
    release = lockDataDir(config.dataDir)
    process.on('exit', () => release())
    mkdirSync(config.dataDir, { recursive: true })
    try {
      db = await openPglite(config.dataDir)
    } catch (error) {
      release()
      throw error
    }
  }
  const applied = await migrate(db)
  if (applied.length) console.log(`kiroku server: applied ${applied.join(', ')}`)

  // Server projections: catch up now, then follow every push (NOTIFY) and a slow poll.
  const projections = serverProjections.map((projection) => subscribe(db, projection))
  // Expired sessions go now and then every hour.
  const pruning = startPruning(db)

  const app = createApp({ db, staticDir: config.staticDir, trustProxy: config.trustProxy, syncLimits: { byteBudget: config.byteBudget }, bodiesInFlight: config.bodiesInFlight })
  const fetch = ownHostOnly(app.fetch, { origins: config.origins, trustProxy: config.trustProxy })
  if (config.trustProxy && config.origins.length === 0) {
    console.log('kiroku server: KIROKU_TRUST_PROXY=1 without KIROKU_ORIGIN: any host the proxy forwards is taken as this server\'s; set KIROKU_ORIGIN=https://<your name> to answer to that name only')
  }
  const server = listen({ fetch, hostname: config.host, port: config.port, limits: config.limits }, (info) => {
    const where = `http://${info.family === 'IPv6' ? `[${info.address}]` : info.address}:${info.port}`
    console.log(`kiroku server: ${where} (${db.storage}${config.databaseUrl ? '' : ` in ${config.dataDir}`}${config.staticDir ? ', serving dist/' : ', /api only'}${config.trustProxy ? ', trusting X-Forwarded-*' : ''}; ${describeLimits(config.limits)})`)
  })

  let stopping = false
  const stop = async (signal: string) => {
    if (stopping) return
    stopping = true
    console.log(`kiroku server: ${signal}, stopping`)
    setTimeout(() => {
      console.error('kiroku server: did not stop within 10 s; exiting anyway')
      release()
      process.exit(1)
    }, STOP_WITHIN_MS).unref()
    // Stop accepting, end idle keep-alive connections now and open ones (live streams) soon after.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()))
    if ('closeIdleConnections' in server) server.closeIdleConnections()
    setTimeout(() => {
      if ('closeAllConnections' in server) server.closeAllConnections()
    }, 2_000).unref()
    await closed
    await Promise.all([...projections.map((runner) => runner.stop()), pruning.stop()])
    await db.close()
    release()
    process.exit(0)
  }
  process.on('SIGTERM', () => void stop('SIGTERM'))
  process.on('SIGINT', () => void stop('SIGINT'))
}

main().catch((error: unknown) => {
  console.error(`kiroku server: ${error instanceof Error ? error.message : String(error)}`)
  process.exit(1)
})
