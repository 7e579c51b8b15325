// How the world reaches the app's sync server: in-process (a Hono app's `request`, or anything with
// a web-standard `fetch(request)`), or over the network with a real `fetch`. Users sign in the way
// the server expects: the protocol's email and password accounts, or the headers an app's own
// `identify` reads.
import { PULL_LIMIT, type PullAnswer, type PulledEvent } from '..'
import { SyncWorldSetupError } from './errors'

/** The server under test: e.g. what `createSyncServer` returns (started), or `{ fetch: globalThis.fetch }` with the server's `baseUrl`. */
export type SyncServerHandle =
  | { fetch(request: Request): Response | Promise<Response> }
  | { request(url: string, init?: RequestInit): Response | Promise<Response> }

/** Who a simulated user is to the server, as its `request` headers say. */
export interface UserIdentity {
  /** The name the test gave (`world.user('alice')`). */
  readonly name: string
  /** The user's id on the server: the account's, or (with `signIn.headers`) one made unique to this world. */
  readonly id: string
}

/**
 * How users sign in. `'accounts'` (the default): each user signs up once with the protocol's email
 * and password accounts, and their devices share that session. `{ headers }`: the server has an
 * `identify` of the app's own, which finds the user in what these headers carry.
 */
export type SignIn = 'accounts' | { headers(user: UserIdentity): Record<string, string> }

const PASSWORD = 'kiroku sync testing password'

export class ServerConnection {
  private readonly base: string

  constructor(
    private readonly server: SyncServerHandle,
    baseUrl: string,
    private readonly signIn: SignIn,
  ) {
    this.base = baseUrl.replace(/\/$/, '')
  }

  /** A request to the server, as it arrives there: `url` is the full URL. */
  send(url: string, init: RequestInit = {}): Promise<Response> {
    const server = this.server
    return Promise.resolve('request' in server ? server.request(url, init) : server.fetch(new Request(url, init)))
  }

  url(path: string): string {
    return `${this.base}${path}`
  }

  /** Makes a user known to the server; resolves with their id and the headers each request of theirs carries. */
  async register(name: string, unique: string): Promise<{ id: string; email?: string; headers: Record<string, string> }> {
    if (this.signIn !== 'accounts') {
      const id = `${name}-${unique}`
      return { id, headers: { ...this.signIn.headers({ name, id }) } }
    }
    const email = `${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${unique}@example.test`
    const response = await this.send(this.url('/api/auth/signup'), {
      method: 'POST',
      body: JSON.stringify({ email, password: PASSWORD }),
      headers: { 'content-type': 'application/json' },
    })
    if (response.status !== 201) {
      throw new SyncWorldSetupError(
        `The server refused to sign ${name} up (${response.status}: ${(await response.text()).slice(0, 200)}). A server with an identify of its own needs signIn: { headers }.`,
        { user: name, status: response.status },
      )
    }
    const { user } = (await response.json()) as { user: { id: string } }
    const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0] ?? ''
    if (cookie === '') throw new SyncWorldSetupError(`The server signed ${name} up but set no session cookie.`, { user: name })
    return { id: user.id, email, headers: { cookie } }
  }

  /** One page of the user's log, as the protocol's pull answers it. */
  async pull(headers: Record<string, string>, after: number, limit: number): Promise<PullAnswer> {
    const response = await this.send(this.url(`/api/sync/pull?after=${after}&limit=${limit}`), { headers })
    if (response.status !== 200) throw new SyncWorldSetupError(`The server answered a pull with ${response.status}: ${(await response.text()).slice(0, 200)}`, { status: response.status })
    return (await response.json()) as PullAnswer
  }

  /** The user's whole log, in position order, and their head. */
  async log(headers: Record<string, string>): Promise<{ events: PulledEvent[]; head: number }> {
    const events: PulledEvent[] = []
    let after = 0
    for (;;) {
      const page = await this.pull(headers, after, PULL_LIMIT)
      events.push(...page.events)
      if (!page.hasMore || page.events.length === 0) return { events, head: page.head }
      after = (page.events.at(-1) as PulledEvent).position
    }
  }
}
