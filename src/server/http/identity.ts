// Who makes a request. By default the protocol's own accounts: the `kiroku_session` cookie of an
// email and password sign-in (./session). An app that has users of its own gives `identify`
// instead: a function from the request to its user's id (its own cookie, a bearer token), or
// null for nobody; each id gets a partition of its own on first use (../accounts/identities).
import type { Context, MiddlewareHandler } from 'hono'
import { userOf } from '../accounts'
import { partitionOfIdentity } from '../accounts/identities'
import type { Db } from '../db/Db'
import { protocolError } from '../protocol'
import type { Account } from '../sync/account'
import { sessionToken, type AppEnv } from './session'

/** The app's own sign-in: the id of the user who made `request` (at most 256 characters), or null. */
export type Identify = (request: Request) => string | null | undefined | Promise<string | null | undefined>

export interface Identity {
  /** Whether the protocol's /api/auth routes serve this app (false with `identify`). */
  readonly accounts: boolean
  /** The account that made the request, or null. */
  accountOf(c: Context<AppEnv>): Promise<Account | null>
  /**
   * Whether the account that opened a long request (a live stream) still makes it: false once its
   * session is gone; undefined when that cannot be told now (the database does not answer).
   */
  stillSignedIn(c: Context<AppEnv>, account: Account): Promise<boolean | undefined>
}

/** The protocol's own accounts: the session cookie names a user, whose partition has the user's id. */
export function sessionIdentity(db: Db): Identity {
  const accountOf = async (c: Context<AppEnv>): Promise<Account | null> => {
    const user = await userOf(db, sessionToken(c))
    return user === null ? null : { id: user.id, partition: user.id, email: user.email }
  }
  return {
    accounts: true,
    accountOf,
    stillSignedIn: async (c, account) => {
      const now = await accountOf(c).then((found) => found, () => undefined)
      return now === undefined ? undefined : now?.id === account.id
    },
  }
}

const MAX_ID = 256

/** An app's own users, told by `identify`. An id that is not a string of 1…256 characters is the app's bug (a 500). */
export function appIdentity(db: Db, identify: Identify): Identity {
  const idOf = async (c: Context<AppEnv>): Promise<string | null> => {
    const id = await identify(c.req.raw)
    if (id === null || id === undefined) return null
    if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID || !id.isWellFormed() || id.includes('\u0000'))
      throw new TypeError(`identify must resolve with a user id (a string of 1 to ${MAX_ID} characters) or null, not ${typeof id === 'string' ? `a string of ${id.length}` : typeof id}.`)
    return id
  }
  return {
    accounts: false,
    accountOf: async (c) => {
      const id = await idOf(c)
      return id === null ? null : { id, partition: await partitionOfIdentity(db, id) }
    },
    stillSignedIn: async (c, account) => idOf(c).then((id) => id === account.id, () => undefined),
  }
}

/** Sets `c.var.account` (and `c.var.user`) from the identity, or answers 401 `unauthenticated`. */
export function requireAccount(identity: Identity): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const account = await identity.accountOf(c)
    if (account === null) throw protocolError('unauthenticated')
    c.set('account', account)
    c.set('user', { id: account.id, email: account.email ?? '' })
    await next()
  }
}
