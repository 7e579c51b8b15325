// The node-postgres adapter when PostgreSQL restarts under it (found by the faults-under-load
// test, faults.test.ts): a connection the database drops while a transaction holds it, or while
// it LISTENs, must not end the process with an unhandled 'error', and LISTEN must come back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Db } from '../../src/server/db/Db'
import { migrate } from './support/shopMigrate'
import { openPostgres } from '../../src/server/db/postgres'
import { startPostgres, type PostgresCluster } from './support/postgres'

let cluster: PostgresCluster | undefined
let db: Db | undefined

beforeAll(async () => {
  cluster = await startPostgres()
  db = await openPostgres(cluster.url)
  await migrate(db)
}, 120_000)

afterAll(async () => {
  await db?.close()
  await cluster?.stop()
}, 60_000)

/** Retries `call` until PostgreSQL takes connections again (it refuses them for a moment after a restart). */
async function once<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call()
    } catch (error) {
      if (attempt === 100) throw error
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
}

describe('the PostgreSQL adapter across a restart of the database', () => {
  it('fails the transaction in hand, serves the next ones, and hears notifications again', async () => {
    const heard: string[] = []
    let hear: () => void = () => undefined
    await db!.listen('faults_db_test', (payload) => {
      heard.push(payload)
      hear()
    })
    const before = new Promise<void>((resolve) => (hear = resolve))
    await db!.notify('faults_db_test', 'before')
    await before
    expect(heard).toEqual(['before'])

    // A transaction holds its connection, idle between statements, while PostgreSQL restarts.
    let restarted: () => void = () => undefined
    const held = db!.transaction(async (tx) => {
      await tx.query('SELECT 1')
      await new Promise<void>((resolve) => (restarted = resolve))
      return tx.query('SELECT 2 AS two')
    })
    await cluster!.restart()
    restarted()
    await expect(held).rejects.toThrow()

    expect(await once(() => db!.transaction((tx) => tx.query<{ three: number }>('SELECT 3 AS three')))).toEqual([{ three: 3 }])
    // LISTEN comes back on a new connection: a notification sent after the restart is heard.
    let after = false
    const heardAgain = new Promise<void>((resolve) => (hear = resolve))
    const sending = (async () => {
      while (!after) {
        await once(() => db!.notify('faults_db_test', 'after'))
        await Promise.race([heardAgain, new Promise((resolve) => setTimeout(resolve, 200))])
      }
    })()
    await heardAgain
    after = true
    await sending
    expect(heard[0]).toBe('before')
    expect(heard.slice(1).every((payload) => payload === 'after')).toBe(true)
    expect(heard.length).toBeGreaterThan(1)
  }, 60_000)
})
