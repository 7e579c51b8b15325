// The account use cases on in-memory PGlite, without HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { login, logout, pruneExpiredSessions, signup, startPruning, startSession, userOf, type Pruned, type User } from '../../src/server/accounts'
import { hashPassword, verifyPassword } from '../../src/server/accounts/passwords'
import type { Db } from '../../src/server/db/Db'
import { migrate } from './support/shopMigrate'
import { openPglite } from '../../src/server/db/pglite'
import { ProtocolError } from '../../src/server/protocol'

let db: Db
beforeAll(async () => {
  db = await openPglite()
  await migrate(db)
}, 60_000)
afterAll(async () => {
  await db?.close()
})

async function refusal(promise: Promise<unknown>): Promise<{ code: string; status: number }> {
  const error = await promise.then(
    () => expect.fail('expected a ProtocolError'),
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(ProtocolError)
  const { code, status } = error as ProtocolError
  return { code, status }
}

describe('accounts', () => {
  it('signs up with a trimmed, lower-cased email and a string id', async () => {
    const user = await signup(db, '  Ada@Example.COM ', 'correct horse')
    expect(user).toEqual({ id: expect.stringMatching(/^\d+$/), email: 'ada@example.com' })
    const [row] = await db.query<{ password_hash: string }>('SELECT password_hash FROM users WHERE email = $1', ['ada@example.com'])
    expect(row?.password_hash).toMatch(/^scrypt\$\d+\$\d+\$\d+\$[^$]+\$[^$]+$/)
    expect(row?.password_hash).not.toContain('correct horse')
  })

  it('refuses a bad email or a short password as invalid, a taken email as email_taken', async () => {
    expect(await refusal(signup(db, 'not-an-email', 'long enough'))).toEqual({ code: 'invalid', status: 400 })
    expect(await refusal(signup(db, 'bob@example.com', 'short'))).toEqual({ code: 'invalid', status: 400 })
    expect(await refusal(signup(db, 'ADA@example.com', 'another one'))).toEqual({ code: 'email_taken', status: 409 })
  })

  it('logs in with the right password only; an unknown email is the same bad_credentials', async () => {
    expect(await login(db, 'ada@EXAMPLE.com ', 'correct horse')).toMatchObject({ email: 'ada@example.com' })
    expect(await refusal(login(db, 'ada@example.com', 'wrong horse'))).toEqual({ code: 'bad_credentials', status: 401 })
    expect(await refusal(login(db, 'nobody@example.com', 'correct horse'))).toEqual({ code: 'bad_credentials', status: 401 })
  })

  it('stores only the token hash; userOf finds the user until logout or expiry', async () => {
    const user = await login(db, 'ada@example.com', 'correct horse')
    const session = await startSession(db, user)
    expect(Buffer.from(session.token, 'base64url')).toHaveLength(32)
    const stored = await db.query<{ token_hash: string }>('SELECT token_hash FROM sessions')
    expect(stored.map((row) => row.token_hash)).not.toContain(session.token)

    expect(await userOf(db, session.token)).toEqual(user)
    expect(await userOf(db, 'made-up')).toBeNull()
    expect(await userOf(db, undefined)).toBeNull()
    expect(await userOf(db, session.token, new Date(session.expiresAt.getTime() + 1))).toBeNull()

    await logout(db, session.token)
    expect(await userOf(db, session.token)).toBeNull()
  })

  it('verifies scrypt hashes and rejects unreadable ones', async () => {
    const hash = await hashPassword('pässword1')
    expect(await verifyPassword('pässword1', hash)).toBe(true)
    expect(await verifyPassword('password1', hash)).toBe(false)
    expect(await verifyPassword('pässword1', 'garbage')).toBe(false)
    expect(hash).not.toBe(await hashPassword('pässword1'))
  })
})

describe('pruning', () => {
  const DAY = 24 * 60 * 60 * 1000
  const sessionsOf = async (user: User) => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM sessions WHERE user_id = $1', [user.id]))[0]!.n
  /** A session of `user` that expired a day ago (started SESSION_DAYS and a day before now). */
  const expiredSession = (user: User) => startSession(db, user, new Date(Date.now() - 31 * DAY))

  it('deletes the sessions whose expiry has passed and keeps the live ones', async () => {
    const user = await signup(db, 'pruned@example.com', 'correct horse')
    const expired = await expiredSession(user)
    const live = await startSession(db, user)
    expect(await sessionsOf(user)).toBe(2)
    expect(await pruneExpiredSessions(db, new Date())).toBe(1)
    expect(await sessionsOf(user)).toBe(1)
    expect(await userOf(db, live.token)).toEqual(user)
    expect(await userOf(db, expired.token, new Date(0))).toBeNull() // its row is gone, not just expired
    expect(await pruneExpiredSessions(db, new Date())).toBe(0)
  })

  it('prunes at start and then every round until stopped', async () => {
    const user = await signup(db, 'rounds@example.com', 'correct horse')
    await expiredSession(user)
    const rounds: Pruned[] = []
    const waiting: (() => void)[] = []
    /** Resolves once a round after the `after`-th one deleted a session. */
    const roundDeleting = (after: number) =>
      new Promise<void>((resolve) => {
        const look = () => (rounds.slice(after).some((round) => round.sessions > 0) ? resolve() : waiting.push(look))
        look()
      })
    const pruning = startPruning(db, {
      everyMs: 20,
      onPruned: (round) => {
        rounds.push(round)
        waiting.splice(0).forEach((look) => look())
      },
    })
    try {
      await roundDeleting(0)
      expect(rounds[0]).toEqual({ sessions: 1, loginAttempts: 0 })
      expect(await sessionsOf(user)).toBe(0)
      const seen = rounds.length
      await expiredSession(user)
      await roundDeleting(seen) // a later round, on the timer
      expect(await sessionsOf(user)).toBe(0)
    } finally {
      await pruning.stop()
    }
  })
})
