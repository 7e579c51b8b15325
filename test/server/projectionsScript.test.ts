// The operator's script for parked events (scripts/projections.ts, `npm run projections`), run as
// a process: it lists what a projection parked with its error and retries it once the cause is
// fixed, on PGlite's folder (refusing it while the server holds it) and on PostgreSQL.
import { execFile } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { Db } from '../../src/server/db/Db'
import { migrate } from './support/shopMigrate'
import { openPglite } from '../../src/server/db/pglite'
import { openPostgres } from '../../src/server/db/postgres'
import { catchUp, ordersOf, ordersProjection, parkedEvents } from './support/shopProjections'
import { engines, postgresDatabase, track } from './support/engines'

engines() // the file's PostgreSQL cluster

const ROOT = resolve(import.meta.dirname, '../..')
const folders: string[] = []
afterAll(() => folders.forEach((folder) => rmSync(folder, { recursive: true, force: true })))

interface Run {
  code: number
  stdout: string
  stderr: string
}

/** Runs the script with `env` for its database settings (nothing of the test's own environment's). */
function script(args: string[], env: Record<string, string>): Promise<Run> {
  const { DATABASE_URL: _url, KIROKU_DATA_DIR: _dir, ...rest } = process.env
  return new Promise((done) => {
    execFile(process.execPath, ['--import', 'tsx', 'scripts/projections.ts', ...args], { cwd: ROOT, env: { ...rest, ...env } }, (error, stdout, stderr) =>
      done({ code: error === null ? 0 : Number((error as { code?: unknown }).code ?? 1), stdout, stderr }),
    )
  })
}

/**
 * One user's Order.Placed, parked by the orders subscription as an older handler that could not
 * apply it left it (a TypeError); the real orders projection applies it.
 */
async function parkAnOrder(db: Db): Promise<{ userId: string; eventId: string; position: number }> {
  const [user] = await db.query<{ id: string }>("INSERT INTO users (email, password_hash) VALUES ('ann@example.com', 'scrypt$x') RETURNING id::text AS id")
  const userId = user!.id
  const eventId = randomUUID()
  await db.query("INSERT INTO streams (stream, user_id, version) VALUES ('Order$o-1', $1, 0)", [userId])
  const [row] = await db.query<{ p: number }>(
    `INSERT INTO events (user_id, partition_position, stream, stream_position, event_id, type, data, metadata, client_id)
     VALUES ($1, 1, 'Order$o-1', 0, $2, 'Order.Placed', $3, '{}', 'test') RETURNING global_position::int AS p`,
    [userId, eventId, { orderId: 'o-1', cartId: 'c-1', lines: [], subtotal: 900, discount: 0, total: 900 }],
  )
  const broken = { name: 'orders', handle: () => Promise.reject(new TypeError("Cannot read properties of undefined (reading 'lines')")) }
  await catchUp(db, broken, { onParked: () => undefined })
  expect(await parkedEvents(db)).toMatchObject([{ subscription: 'orders', eventId, error: { code: 'TypeError' } }])
  return { userId, eventId, position: row!.p }
}

describe('npm run projections on PGlite\'s folder', () => {
  it('lists a parked event with its error, refuses the folder while the server holds it, and retries it once the cause is fixed', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'kiroku-projections-'))
    folders.push(folder)
    const dataDir = join(folder, 'db')
    const env = { KIROKU_DATA_DIR: dataDir }
    let db = await openPglite(dataDir)
    await migrate(db)
    const { userId, eventId } = await parkAnOrder(db)
    await db.close()

    const listed = await script(['list'], env)
    expect(listed).toMatchObject({ code: 0, stderr: '' })
    expect(listed.stdout).toContain(`PGlite in ${dataDir}`)
    expect(listed.stdout).toContain(`orders  global position`)
    expect(listed.stdout).toContain(`event ${eventId}  Order.Placed`)
    expect(listed.stdout).toContain("TypeError: Cannot read properties of undefined (reading 'lines')")

    // A live process (this test's) holds the folder, as a running server does.
    writeFileSync(`${dataDir}.lock`, String(process.pid))
    const refused = await script(['retry', 'orders', 'all'], env)
    rmSync(`${dataDir}.lock`)
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain(`is open in process ${process.pid}`)
    expect(refused.stderr).toContain('stop the server')

    const retried = await script(['retry', 'orders', 'all'], env)
    expect(retried).toMatchObject({ code: 0, stderr: '' })
    expect(retried.stdout).toContain(`applied: orders  global position`)
    expect(retried.stdout).toContain('1 applied, 0 still parked')
    expect(await script(['list', 'orders'], env)).toMatchObject({ code: 0, stdout: expect.stringContaining('No parked events for orders.') })

    db = await openPglite(dataDir)
    try {
      expect(await parkedEvents(db)).toEqual([])
      expect((await ordersOf(db, userId)).map((order) => order.id)).toEqual(['o-1'])
    } finally {
      await db.close()
    }
  }, 60_000)

  it('says what it needs: an unknown command or projection, or a folder with no database', async () => {
    const missing = join(tmpdir(), `kiroku-none-${randomUUID()}`)
    expect(await script(['retry', 'orders'], { KIROKU_DATA_DIR: missing })).toMatchObject({ code: 64, stderr: expect.stringContaining('Usage:') })
    expect(await script(['list', 'invoices'], { KIROKU_DATA_DIR: missing })).toMatchObject({ code: 64, stderr: expect.stringContaining('No server projection named "invoices".') })
    expect(await script(['list'], { KIROKU_DATA_DIR: missing })).toMatchObject({ code: 1, stderr: expect.stringContaining(`No database in ${missing}`) })
  }, 60_000)
})

describe('npm run projections on PostgreSQL (DATABASE_URL)', () => {
  it('retries one parked event by its global position beside a running server\'s database, with the later events of its stream parked behind it, in order', async () => {
    const url = await postgresDatabase()
    const db = track(await openPostgres(url))
    await migrate(db)
    const { userId, eventId, position } = await parkAnOrder(db)
    const env = { DATABASE_URL: url }
    expect((await script(['list', 'orders'], env)).stdout).toContain(`global position ${position}  event ${eventId}  Order.Placed  stream Order$o-1`)
    expect(await script(['retry', 'orders', String(position + 1)], env)).toMatchObject({ code: 1, stdout: expect.stringContaining(`Nothing parked for orders at ${position + 1}.`) })

    // The order's completion, read by the real projection while its Placed is parked: parked behind it.
    await db.query("UPDATE streams SET version = 1 WHERE stream = 'Order$o-1'")
    const [completed] = await db.query<{ p: number }>(
      `INSERT INTO events (user_id, partition_position, stream, stream_position, event_id, type, data, metadata, client_id)
       VALUES ($1, 2, 'Order$o-1', 1, $2, 'Order.Completed', '{"orderId":"o-1"}', '{}', 'test') RETURNING global_position::int AS p`,
      [userId, randomUUID()],
    )
    await catchUp(db, ordersProjection, { onParked: () => undefined })
    const listed = (await script(['list', 'orders'], env)).stdout
    expect(listed).toContain('2 parked events')
    expect(listed).toContain(`behind_parked: behind the parked event at global position ${position} of its stream`)

    const retried = await script(['retry', 'orders', String(position)], env)
    expect(retried).toMatchObject({ code: 0, stderr: '' })
    expect(retried.stdout).toContain(`applied: orders  global position ${position}  event ${eventId}  Order.Placed`)
    expect(retried.stdout).toContain(`applied: orders  global position ${completed!.p}`)
    expect(retried.stdout).toContain('2 applied, 0 still parked')
    expect(await parkedEvents(db)).toEqual([])
    expect((await ordersOf(db, userId)).map((order) => [order.id, order.status])).toEqual([['o-1', 'completed']])
  }, 60_000)
})
