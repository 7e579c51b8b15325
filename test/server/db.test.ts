// The database port's guarantees, the same cases on embedded PGlite and on a real PostgreSQL;
// ordering under concurrency only on PostgreSQL (PGlite runs one query at a time).
import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { Db } from '../../src/server/db/Db'
import { migrate } from './support/shopMigrate'
import { openPostgres } from '../../src/server/db/postgres'
import { engines, postgresDatabase, track } from './support/engines'

const ENGINES = engines()

/** Payloads heard on a channel, in order; `next()` waits for the next one not yet taken. */
async function inbox(db: Db, channel: string) {
  const heard: string[] = []
  const waiting: ((payload: string) => void)[] = []
  let taken = 0
  const unlisten = await db.listen(channel, (payload) => {
    heard.push(payload)
    waiting.shift()?.(payload)
  })
  return {
    heard,
    unlisten,
    next: () => new Promise<string>((resolve) => (taken < heard.length ? resolve(heard[taken]!) : waiting.push(resolve))).finally(() => taken++),
  }
}

async function addUser(db: Db, email = 'ada@example.com'): Promise<number> {
  const [row] = await db.query<{ id: string }>('INSERT INTO users (email, password_hash) VALUES ($1, $2) RETURNING id', [email, 'scrypt$x'])
  return Number(row!.id)
}

async function count(db: Db, table: 'users' | 'schema_migrations'): Promise<number> {
  const [row] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)
  return row!.n
}

describe.each(ENGINES)('the database port on $name', (engine) => {
  it('applies the server\'s migrations, then the app\'s, once: a second migrate applies nothing', async () => {
    const db = await engine.open({ migrated: false })
    expect(await migrate(db)).toEqual(['001_init.sql', '003_login_attempts.sql', '004_attempt_windows.sql', '005_parked_events.sql', '006_event_sizes.sql', '007_private_ids.sql', '008_app_identities.sql', '009_spaces.sql', 'orders/001_orders.sql', 'orders/002_orders_of_spaces.sql'])
    expect(await migrate(db)).toEqual([])
    expect(await db.query('SELECT version, name FROM schema_migrations ORDER BY version')).toEqual([
      { version: 1, name: '001_init.sql' },
      { version: 3, name: '003_login_attempts.sql' },
      { version: 4, name: '004_attempt_windows.sql' },
      { version: 5, name: '005_parked_events.sql' },
      { version: 6, name: '006_event_sizes.sql' },
      { version: 7, name: '007_private_ids.sql' },
      { version: 8, name: '008_app_identities.sql' },
      { version: 9, name: '009_spaces.sql' },
    ])
    expect(await db.query('SELECT name FROM app_migrations ORDER BY name')).toEqual([{ name: 'orders/001_orders.sql' }, { name: 'orders/002_orders_of_spaces.sql' }])
    expect(await count(db, 'users')).toBe(0)
  })

  it('commits a transaction that resolves, with its result', async () => {
    const db = await engine.open()
    const id = await db.transaction(async (tx) => {
      const [row] = await tx.query<{ id: string }>('INSERT INTO users (email, password_hash) VALUES ($1, $2) RETURNING id', ['ada@example.com', 'h'])
      await tx.query('INSERT INTO partitions (user_id) VALUES ($1)', [row!.id])
      return Number(row!.id)
    })
    expect(await db.query('SELECT email FROM users WHERE id = $1', [id])).toEqual([{ email: 'ada@example.com' }])
    expect(await db.query('SELECT head::int AS head FROM partitions WHERE user_id = $1', [id])).toEqual([{ head: 0 }])
  })

  it('rolls back a transaction that throws, leaving nothing, and rethrows its error', async () => {
    const db = await engine.open()
    const failure = new Error('the second write failed')
    await expect(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO users (email, password_hash) VALUES ($1, $2)', ['ada@example.com', 'h'])
        throw failure
      }),
    ).rejects.toBe(failure)
    expect(await count(db, 'users')).toBe(0)
    // The connection is usable again after the rollback.
    await addUser(db)
    expect(await count(db, 'users')).toBe(1)
  })

  it('delivers a NOTIFY payload to a listener, and none after it unlistens', async () => {
    const db = await engine.open()
    const first = await inbox(db, 'pushes')
    const second = await inbox(db, 'pushes')
    await db.notify('pushes', '{"user":1}')
    expect(await first.next()).toBe('{"user":1}')
    expect(await second.next()).toBe('{"user":1}')
    await first.unlisten()
    await db.notify('pushes', 'later')
    expect(await second.next()).toBe('later')
    expect(first.heard).toEqual(['{"user":1}'])
  })

  it('delivers a NOTIFY sent inside a transaction only when it commits', async () => {
    const db = await engine.open()
    const box = await inbox(db, 'pushes')
    await expect(
      db.transaction(async (tx) => {
        await tx.query('SELECT pg_notify($1, $2)', ['pushes', 'rolled back'])
        throw new Error('abort')
      }),
    ).rejects.toThrow('abort')
    let committed = false
    await db.transaction(async (tx) => {
      await tx.query('SELECT pg_notify($1, $2)', ['pushes', 'committed'])
      // On PostgreSQL the listener has a connection of its own: prove a notify sent outside this
      // transaction gets through while ours is still held back. (PGlite has one connection, busy here.)
      if (db.storage === 'postgres') {
        await db.notify('pushes', 'outside')
        expect(await box.next()).toBe('outside')
      }
      await tx.query('SELECT 1')
      expect(box.heard).not.toContain('committed')
      committed = true
    })
    expect(await box.next()).toBe('committed')
    expect(committed).toBe(true)
    expect(box.heard.filter((payload) => payload !== 'outside')).toEqual(['committed'])
  })
})

describe('the database port on PostgreSQL only', () => {
  const postgres = ENGINES.find((engine) => engine.name === 'postgres')!

  it('gives 20 concurrent appenders of one user unique, gapless partition positions 1..20', async () => {
    const db = await postgres.open()
    const user = await addUser(db)
    await db.query('INSERT INTO partitions (user_id) VALUES ($1)', [user])
    await db.query('INSERT INTO streams (stream, user_id) VALUES ($1, $2)', ['cart-1', user])
    const positions = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        db.transaction(async (tx) => {
          const [row] = await tx.query<{ head: string }>('UPDATE partitions SET head = head + 1 WHERE user_id = $1 RETURNING head', [user])
          const head = Number(row!.head)
          await tx.query(
            `INSERT INTO events (user_id, partition_position, stream, stream_position, event_id, type, data, metadata, client_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
            [user, head, 'cart-1', head - 1, randomUUID(), 'ItemAdded', { i }, {}, 'test'],
          )
          return head
        }),
      ),
    )
    const oneToTwenty = Array.from({ length: 20 }, (_, i) => i + 1)
    expect([...positions].sort((a, b) => a - b)).toEqual(oneToTwenty)
    const rows = await db.query<{ position: number }>('SELECT partition_position::int AS position FROM events WHERE user_id = $1 ORDER BY partition_position', [user])
    expect(rows.map((row) => row.position)).toEqual(oneToTwenty)
    expect(await db.query('SELECT head::int AS head FROM partitions WHERE user_id = $1', [user])).toEqual([{ head: 20 }])
  })

  it('applies 001 exactly once when two processes migrate the same database at once', async () => {
    const url = await postgresDatabase()
    const [one, two] = [track(await openPostgres(url)), track(await openPostgres(url))]
    const applied = await Promise.all([migrate(one), migrate(two)])
    expect(applied.flat()).toEqual(['001_init.sql', '003_login_attempts.sql', '004_attempt_windows.sql', '005_parked_events.sql', '006_event_sizes.sql', '007_private_ids.sql', '008_app_identities.sql', '009_spaces.sql', 'orders/001_orders.sql', 'orders/002_orders_of_spaces.sql'])
    expect(await count(one, 'schema_migrations')).toBe(8)
    expect(await one.query('SELECT name FROM app_migrations ORDER BY name')).toEqual([{ name: 'orders/001_orders.sql' }, { name: 'orders/002_orders_of_spaces.sql' }])
  })
})
