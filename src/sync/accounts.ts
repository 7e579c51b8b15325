// The account calls of the protocol: sign up, sign in, sign out, who am I.
import { SyncUnauthenticatedError } from './errors'
import type { User } from './protocol'
import { apiCaller, type HttpTransportOptions } from './transport'

export class AccountClient {
  private readonly call: ReturnType<typeof apiCaller>

  constructor(options: HttpTransportOptions = {}) {
    this.call = apiCaller(options)
  }

  /** 400 `invalid` (a bad email, a password under 8 characters) and 409 `email_taken` reject with SyncServerError. */
  async signUp(email: string, password: string): Promise<User> {
    return (await this.post<{ user: User }>('/api/auth/signup', { email, password })).user
  }

  /** 401 `bad_credentials` (a SyncServerError) for an unknown email or a wrong password alike; 429 `rate_limited`. */
  async signIn(email: string, password: string): Promise<User> {
    return (await this.post<{ user: User }>('/api/auth/login', { email, password })).user
  }

  async signOut(): Promise<void> {
    await this.call<void>('/api/auth/logout', { method: 'POST' })
  }

  /** The signed-in user, or null when the session is gone. */
  async me(): Promise<User | null> {
    try {
      return (await this.call<{ user: User }>('/api/auth/me')).user
    } catch (error) {
      if (error instanceof SyncUnauthenticatedError) return null
      throw error
    }
  }

  private post<T>(path: string, body: unknown): Promise<T> {
    return this.call<T>(path, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } })
  }
}
