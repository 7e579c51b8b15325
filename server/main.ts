// The shop server's process: its settings from the environment, the shop's sync server on
// PostgreSQL (DATABASE_URL) or PGlite (KIROKU_DATA_DIR), the built app when there is one, a Node
// server with connection limits, and a clean stop on SIGTERM/SIGINT within 10 s.
import { describeLimits, listen, pgliteDatabase, postgresDatabase } from '../src/server'
import { loadConfig } from './config'
import { createShopServer } from './shop'

const STOP_WITHIN_MS = 10_000

async function main(): Promise<void> {
  const config = loadConfig()
  const database = config.databaseUrl ? postgresDatabase(config.databaseUrl) : pgliteDatabase(config.dataDir)
  const server = createShopServer({
    database,
    staticDir: config.staticDir,
    trustProxy: config.trustProxy,
    origins: config.origins,
    syncLimits: { byteBudget: config.byteBudget },
    bodiesInFlight: config.bodiesInFlight,
  })
  const { applied } = await server.start()
  if (applied.length) console.log(`kiroku server: applied ${applied.join(', ')}`)
  if (config.trustProxy && config.origins.length === 0) {
    console.log('kiroku server: KIROKU_TRUST_PROXY=1 without KIROKU_ORIGIN: any host the proxy forwards is taken as this server\'s; set KIROKU_ORIGIN=https://<your name> to answer to that name only')
  }
  const http = listen({ fetch: server.fetch, hostname: config.host, port: config.port, limits: config.limits }, (info) => {
    const where = `http://${info.family === 'IPv6' ? `[${info.address}]` : info.address}:${info.port}`
    console.log(`kiroku server: ${where} (${database.storage}${config.databaseUrl ? '' : ` in ${config.dataDir}`}${config.staticDir ? ', serving dist/' : ', /api only'}${config.trustProxy ? ', trusting X-Forwarded-*' : ''}; ${describeLimits(config.limits)})`)
  })

  let stopping = false
  const stop = async (signal: string) => {
    if (stopping) return
    stopping = true
    console.log(`kiroku server: ${signal}, stopping`)
    setTimeout(() => {
      console.error('kiroku server: did not stop within 10 s; exiting anyway')
      process.exit(1)
    }, STOP_WITHIN_MS).unref()
    // Stop accepting, end idle keep-alive connections now and open ones (live streams) soon after.
    const closed = new Promise<void>((resolve) => http.close(() => resolve()))
    if ('closeIdleConnections' in http) http.closeIdleConnections()
    setTimeout(() => {
      if ('closeAllConnections' in http) http.closeAllConnections()
    }, 2_000).unref()
    await closed
    await server.close()
    process.exit(0)
  }
  process.on('SIGTERM', () => void stop('SIGTERM'))
  process.on('SIGINT', () => void stop('SIGINT'))
}

main().catch((error: unknown) => {
  console.error(`kiroku server: ${error instanceof Error ? error.message : String(error)}`)
  process.exit(1)
})
