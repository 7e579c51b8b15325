// The login and signup rate limits are counted in the database, on both engines: two apps over
// one database (as two server processes would be) share them, a new window starts afresh, the
// refusal says when to come back (Retry-After), and the pruning deletes the windows that have
// ended. Addresses come from X-Forwarded-For (an app that trusts its proxy), on a fixed clock.
import { describe, expect, it, vi } from 'vitest'
import { countAttempts, countLoginAttempt, LOGIN_WINDOW_MS, pruneLoginAttempts, SIGNUP_WINDOW_MS, startPruning, type Pruned } from '../../src/server/accounts'
import type { Db } from '../../src/server/db/Db'
import { migrate } from './support/shopMigrate'
import { openPostgres } from '../../src/server/db/postgres'
import { createApp, type App } from './support/shopApp'
import { engines, postgresDatabase, track } from './support/engines'

const ENGINES = engines()
// Signups and logins hash passwords (scrypt): on a busy machine a test takes more than 5 s.
vi.setConfig({ testTimeout: 60_000 })

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

/** An app that trusts X-Forwarded-For, with small limits, on the clock `clock.now`. */
function limitedApp(db: Db, clock: { now: number }): App {
  const limits = { loginPerAccountAndAddress: 3, loginPerAccount: 5, loginPerAddress: 7, signupsPerAddress: 2 }
  return createApp({ db, trustProxy: true, auth: { limits, now: () => new Date(clock.now) } })
}

async function post(app: App, path: string, body: unknown, from: string): Promise<{ status: number; code?: string; retryAfter: string | null }> {
  const response = await app.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': from },
    body: JSON.stringify(body),
  })
  const answer = (await response.json()) as { error?: { code: string } }
  return { status: response.status, code: answer.error?.code, retryAfter: response.headers.get('retry-after') }
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

  it('limits one account from many addresses, refusing its right password too until the window ends, with Retry-After', async () => {
    const db = await engine.open()
    const clock = { now: MINUTE + 15_000 }
    const app = limitedApp(db, clock)
    expect((await post(app, '/api/auth/signup', { email: 'ada@example.com', password: 'correct horse' }, '198.51.100.1')).status).toBe(201)
    for (let i = 0; i < 5; i++) expect(await post(app, '/api/auth/login', { email: 'ada@example.com', password: 'wrong password' }, `203.0.113.${i}`)).toMatchObject({ status: 401 })
    // 45 s left in this minute's window.
    expect(await post(app, '/api/auth/login', { email: 'ADA@example.com ', password: 'wrong password' }, '203.0.113.99')).toEqual({ status: 429, code: 'rate_limited', retryAfter: '45' })
    clock.now = MINUTE + 59_500
    expect(await post(app, '/api/auth/login', { email: 'ada@example.com', password: 'correct horse' }, '198.51.100.1')).toEqual({ status: 429, code: 'rate_limited', retryAfter: '1' })
    // Another account from those addresses is not limited; the window's end lets Ada back in.
    expect((await post(app, '/api/auth/login', { email: 'bob@example.com', password: 'wrong password' }, '203.0.113.1')).status).toBe(401)
    clock.now = MINUTE + LOGIN_WINDOW_MS
    expect((await post(app, '/api/auth/login', { email: 'ada@example.com', password: 'correct horse' }, '198.51.100.1')).status).toBe(200)
  })

  it('limits one address trying many accounts, and signups from one address per hour', async () => {
    const db = await engine.open()
    const clock = { now: MINUTE + 30_000 }
    const app = limitedApp(db, clock)
    for (let i = 0; i < 7; i++) expect((await post(app, '/api/auth/login', { email: `guess-${i}@example.com`, password: 'wrong password' }, '192.0.2.7')).status).toBe(401)
    expect(await post(app, '/api/auth/login', { email: 'guess-7@example.com', password: 'wrong password' }, '192.0.2.7')).toEqual({ status: 429, code: 'rate_limited', retryAfter: '30' })
    expect((await post(app, '/api/auth/login', { email: 'guess-7@example.com', password: 'wrong password' }, '192.0.2.8')).status).toBe(401)

    for (let i = 0; i < 2; i++) expect((await post(app, '/api/auth/signup', { email: `new-${i}@example.com`, password: 'correct horse' }, '192.0.2.9')).status).toBe(201)
    // Counted before the body is read: a refused signup costs no hash, and says when the hour ends.
    expect(await post(app, '/api/auth/signup', { email: 'new-2@example.com', password: 'correct horse' }, '192.0.2.9')).toEqual({
      status: 429,
      code: 'rate_limited',
      retryAfter: String((SIGNUP_WINDOW_MS - 30_000) / 1000),
    })
    expect((await post(app, '/api/auth/signup', { email: 'new-2@example.com', password: 'correct horse' }, '192.0.2.10')).status).toBe(201)
    clock.now = MINUTE + SIGNUP_WINDOW_MS
    expect((await post(app, '/api/auth/signup', { email: 'new-3@example.com', password: 'correct horse' }, '192.0.2.9')).status).toBe(201)
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

    // An hour's window is kept until its hour has ended.
    await countAttempts(db, [{ key: 'signup|x', windowMs: SIGNUP_WINDOW_MS }], new Date(MINUTE))
    expect(await pruneLoginAttempts(db, new Date(MINUTE + SIGNUP_WINDOW_MS - 1))).toBe(1)
    expect(await pruneLoginAttempts(db, new Date(MINUTE + SIGNUP_WINDOW_MS))).toBe(1)
    expect(await rowsOf(db)).toBe(0)
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
