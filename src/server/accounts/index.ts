// Accounts and sessions: plain use-case functions over the Db port, tested without HTTP. They
// throw ProtocolErrors (`invalid`, `email_taken`, `bad_credentials`); the routes only map them.
import { createHash, randomBytes } from 'node:crypto'
import type { Db } from '../db/Db'
import { protocolError } from '../protocol'
import { normalizeEmail } from './emails'
import { dummyVerify, hashPassword, verifyPassword } from './passwords'

export interface User {
  /** The users row's id, as a string (the protocol's `user.id`). */
  id: string
  email: string
}

export interface Session {
  /** The cookie's value; only its sha-256 is stored. */
  token: string
  expiresAt: Date
}

export const SESSION_DAYS = 30
export const MIN_PASSWORD = 8
/** Longer passwords are refused: scrypt over megabytes is a way to spend the server's CPU. */
export const MAX_PASSWORD = 1024
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

/** Control characters (NUL among them, which PostgreSQL's text cannot hold) and lone surrogates are in no email. */
const UNSTORABLE = /[\u0000-\u001f\u007f]/
const storable = (text: string): boolean => !UNSTORABLE.test(text) && text.isWellFormed()

/** How often a signup draws a new random id when the one drawn is taken (52 random bits: next to never). */
const ID_DRAWS = 3

export { normalizeEmail }

export async function signup(db: Db, email: string, password: string): Promise<User> {
  const normalized = normalizeEmail(email)
  if (normalized.length > 254 || !EMAIL.test(normalized) || !storable(normalized)) throw protocolError('invalid', 'That is not an email address.')
  if (password.length < MIN_PASSWORD) throw protocolError('invalid', `The password needs at least ${MIN_PASSWORD} characters.`)
  if (password.length > MAX_PASSWORD) throw protocolError('invalid', `The password may have at most ${MAX_PASSWORD} characters.`)
  const hash = await hashPassword(password)
  // The id is the column's random default; a conflict is on the email, or (next to never) on the id.
  for (let draw = 1; ; draw++) {
    const [row] = await db.query<{ id: string }>('INSERT INTO users (email, password_hash) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING id::text AS id', [
      normalized,
      hash,
    ])
    if (row) return { id: row.id, email: normalized }
    const [taken] = await db.query('SELECT 1 FROM users WHERE email = $1', [normalized])
    if (taken) throw protocolError('email_taken')
    if (draw >= ID_DRAWS) throw new Error(`${ID_DRAWS} random user ids in a row were taken.`)
  }
}

/** The user whose email and password these are; `bad_credentials` for an unknown email and a wrong password alike. */
export async function login(db: Db, email: string, password: string): Promise<User> {
  const normalized = normalizeEmail(email)
  const [row] =
    password.length > MAX_PASSWORD || !storable(normalized)
      ? []
      : await db.query<{ id: string; email: string; password_hash: string }>(
          'SELECT id::text AS id, email, password_hash FROM users WHERE email = $1',
          [normalized],
        )
  if (!row) {
    await dummyVerify(password.slice(0, MAX_PASSWORD))
    throw protocolError('bad_credentials')
  }
  if (!(await verifyPassword(password, row.password_hash))) throw protocolError('bad_credentials')
  return { id: row.id, email: row.email }
}

function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

/** Opens a session for `user`: a random 32-byte token, stored as its sha-256 with an expiry. */
export async function startSession(db: Db, user: User, now = new Date()): Promise<Session> {
  const token = randomBytes(32).toString('base64url')
  const expiresAt = new Date(now.getTime() + SESSION_DAYS * 24 * 60 * 60 * 1000)
  await db.query('INSERT INTO sessions (token_hash, user_id, expires_at) VALUES ($1, $2, $3)', [tokenHash(token), user.id, expiresAt.toISOString()])
  return { token, expiresAt }
}

/** Voids the session: its token signs nobody in from now on. */
export async function logout(db: Db, token: string): Promise<void> {
  await db.query('DELETE FROM sessions WHERE token_hash = $1', [tokenHash(token)])
}

/** The user signed in with `token`, or null (no such session, or an expired one). */
export async function userOf(db: Db, token: string | undefined, now = new Date()): Promise<User | null> {
  if (!token || token.length > 100) return null
  const [row] = await db.query<{ id: string; email: string }>(
    `SELECT u.id::text AS id, u.email FROM sessions s JOIN users u ON u.id = s.user_id
      WHERE s.token_hash = $1 AND s.expires_at > $2`,
    [tokenHash(token), now.toISOString()],
  )
  return row ? { id: row.id, email: row.email } : null
}

export { pruneExpiredSessions, startPruning, PRUNE_EVERY_MS, type Pruned, type Pruning, type PruningOptions } from './pruning'
export { countAttempts, countLoginAttempt, pruneLoginAttempts, LOGIN_WINDOW_MS, type Counted, type Counter } from './attempts'
export { DEFAULT_RATE_LIMITS, limitLogin, limitSignup, SIGNUP_WINDOW_MS, type RateLimits } from './rateLimits'
