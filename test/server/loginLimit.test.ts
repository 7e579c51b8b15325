// The login rate limit is counted in the database, on both engines: two apps over one database
// (as two server processes would be) share it, a new minute's window starts afresh, and the
// pruning deletes the windows that have ended.
import { describe, expect, it } from 'vitest'
import { countLoginAttempt, LOGIN_WINDOW_MS, pruneLoginAttempts, startPruning, type Pruned } from '../../server/accounts'
import type { Db } from '../../server/db/Db'
import { migrate } from '../../server/db/migrate'
import { openPostgres } from '../../server/db/postgres'
import { createApp, type App } from '../../server/http'
import { engines, postgresDatabase, track } from './support/engines'

const ENGINES = engines()

const MINUTE = new Date('2026-11-30T10:00:00.000Z').getTime()

/** An app over `db` that allows 3 attempts a minute, on the clock `clock.now`. */
function appOver(db: Db, clock: { now: number }): App {
  return createApp({ db, auth: { loginAttemptsPerMinute: 3, now: () => new Date(clock.now) } })
}

async function attempt(app: App, email = 'limited@example.com'): Promise<{ status: number; code?: string }> {
  const response = await app.request('/api/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'wrong password' }),
  })
  const body = (await response.json()) as { error?: { code: string } }
  return { status: response.status, code: body.error?.code }
}

const rowsOf = async (db: Db) => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM login_attempts'))[0]!.n

describe.each(ENGINES)('the login rate limit on $name', (engine) => {
  it('is shared by two apps over one database: their attempts add up to one limit', async () => {
    const db = await engine.open()
    const clock = { now: MINUTE + 10_000 }
    const [one, two] = [appOver(db, clock), appOver(db, clock)]
    expect(await attempt(one)).toEqual({ status: 401, code: 'bad_credentials' })
    expect(await attempt(two)).toEqual({ status: 401, code: 'bad_credentials' })
    expect(await attempt(one)).toEqual({ status: 401, code: 'bad_credentials' })
    expect(await attempt(two)).toEqual({ status: 429, code: 'rate_limited' })
    expect(await attempt(one)).toEqual({ status: 429, code: 'rate_limited' })
    // Another email is not limited by it; the next minute's window starts afresh.
    expect(await attempt(two, 'other@example.com')).toEqual({ status: 401, code: 'bad_credentials' })
    clock.now = MINUTE + LOGIN_WINDOW_MS
    expect(await attempt(one)).toEqual({ status: 401, code: 'bad_credentials' })
  })

  it('counts one row per key and window, without the email in it', async () => {
    const db = await engine.open()
    const at = new Date(MINUTE + 5_000)
    expect(await countLoginAttempt(db, 'ada@example.com|127.0.0.1', at)).toBe(1)
    expect(await countLoginAttempt(db, 'ada@example.com|127.0.0.1', new Date(MINUTE + 59_999))).toBe(2)
    expect(await countLoginAttempt(db, 'ada@example.com|127.0.0.1', new Date(MINUTE + 60_000))).toBe(1)
    const rows = await db.query<{ key: string }>('SELECT key FROM login_attempts')
    expect(rows).toHaveLength(2)
    expect(rows.every((row) => /^[0-9a-f]{64}$/.test(row.key))).toBe(true)
  })

  it('is pruned: the windows that ended are deleted, the current one kept, also by the pruning rounds', async () => {
    const db = await engine.open()
    await countLoginAttempt(db, 'old@example.com|x', new Date(MINUTE))
    await countLoginAttempt(db, 'now@example.com|x', new Date(MINUTE + 2 * LOGIN_WINDOW_MS))
    expect(await pruneLoginAttempts(db, new Date(MINUTE + 2 * LOGIN_WINDOW_MS + 1))).toBe(1)
    expect(await rowsOf(db)).toBe(1)

    await countLoginAttempt(db, 'old@example.com|x', new Date(MINUTE))
    const round = await new Promise<Pruned>((resolve) => {
      const pruning = startPruning(db, { now: () => new Date(MINUTE + 2 * LOGIN_WINDOW_MS + 1), onPruned: (pruned) => void pruning.stop().then(() => resolve(pruned)) })
    })
    expect(round).toEqual({ sessions: 0, loginAttempts: 1 })
    expect(await rowsOf(db)).toBe(1)
  })
})

describe('the login rate limit across two connection pools on PostgreSQL', () => {
  it('holds for two apps each with a database handle of its own, as two server processes have', async () => {
    const url = await postgresDatabase()
    const [first, second] = [track(await openPostgres(url)), track(await openPostgres(url))]
    await migrate(first)
    const clock = { now: MINUTE + 10_000 }
    const [one, two] = [appOver(first, clock), appOver(second, clock)]
    const answers = await Promise.all([attempt(one), attempt(two), attempt(one), attempt(two), attempt(one)])
    expect(answers.filter((answer) => answer.status === 401)).toHaveLength(3)
    expect(answers.filter((answer) => answer.status === 429)).toEqual([
      { status: 429, code: 'rate_limited' },
      { status: 429, code: 'rate_limited' },
    ])
  })
})
