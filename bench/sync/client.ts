// A simulated device of the sync bench: one account's session over HTTP on loopback (Node's fetch,
// which keeps connections alive), and the small cart commits a shopper makes, each valid for the
// domain the server checks (catalog prices, quantities 1…99), with its expected version.
import { randomUUID } from 'node:crypto'
import { catalog } from '../../src/domain'
import type { CommitResult, PullAnswer, PushAnswer, PushCommit, WireEvent } from '../../src/sync/protocol'

export const PASSWORD = 'correct horse battery'

export class HttpDevice {
  private constructor(
    readonly base: string,
    readonly userId: string,
    readonly email: string,
    private cookie: string,
    readonly clientId: string = randomUUID(),
  ) {}

  /** Signs a new account up (201) and returns its device. */
  static async signUp(base: string, email: string): Promise<HttpDevice> {
    return HttpDevice.session(base, 'signup', email, 201)
  }

  /** Signs in to an existing account (200) and returns another device of it. */
  static async signIn(base: string, email: string): Promise<HttpDevice> {
    return HttpDevice.session(base, 'login', email, 200)
  }

  private static async session(base: string, call: 'signup' | 'login', email: string, expected: number): Promise<HttpDevice> {
    const response = await fetch(`${base}/api/auth/${call}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }) })
    if (response.status !== expected) throw new Error(`${call} ${email}: HTTP ${response.status} ${await response.text()}`)
    const { user } = (await response.json()) as { user: { id: string } }
    const cookie = response.headers.getSetCookie().find((c) => c.startsWith('kiroku_session='))?.split(';')[0]
    if (!cookie) throw new Error(`${call} ${email}: no session cookie`)
    return new HttpDevice(base, user.id, email, cookie)
  }

  /** The cookie header to send (e.g. for an EventSource of one's own). */
  get sessionCookie(): string {
    return this.cookie
  }

  /** Another server process of the same database: the same session, another base. */
  on(base: string): HttpDevice {
    return new HttpDevice(base, this.userId, this.email, this.cookie, this.clientId)
  }

  async push(commits: PushCommit[]): Promise<PushAnswer> {
    const response = await fetch(`${this.base}/api/sync/push`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: this.cookie },
      body: JSON.stringify({ clientId: this.clientId, commits }),
    })
    if (response.status !== 200) throw new Error(`push: HTTP ${response.status} ${await response.text()}`)
    return (await response.json()) as PushAnswer
  }

  async pull(after: number, limit = 1000): Promise<PullAnswer> {
    const response = await fetch(`${this.base}/api/sync/pull?after=${after}&limit=${limit}`, { headers: { cookie: this.cookie } })
    if (response.status !== 200) throw new Error(`pull: HTTP ${response.status} ${await response.text()}`)
    return (await response.json()) as PullAnswer
  }
}

/**
 * A shopper's cart as commits of 1–3 events: adds of products not in the cart yet and removals
 * of ones that are, so every commit is valid however long it goes on. `version` is the stream's
 * last position as the device knows it (-1 when empty); `accepted` moves it.
 */
export class CartCommits {
  version = -1
  private readonly inCart = new Set<string>()
  private turn = 0

  constructor(readonly cartId: string = randomUUID()) {}

  get stream(): string {
    return `Cart$${this.cartId}`
  }

  /** The next commit: `size` events (1–3), expected version = the last accepted one. */
  next(size = 1 + (this.turn % 3)): PushCommit {
    this.turn++
    const events: WireEvent[] = []
    const planned = new Set(this.inCart)
    for (let i = 0; i < size; i++) {
      const product = catalog[(this.turn * 7 + i * 5) % catalog.length]!
      const metadata = { timestamp: new Date().toISOString() }
      if (planned.has(product.id)) {
        planned.delete(product.id)
        events.push({ eventId: randomUUID(), type: 'Cart.ItemRemoved', data: { cartId: this.cartId, itemId: product.id }, metadata })
      } else {
        planned.add(product.id)
        events.push({ eventId: randomUUID(), type: 'Cart.ItemAdded', data: { cartId: this.cartId, itemId: product.id, quantity: 1, price: product.price }, metadata })
      }
    }
    return { stream: this.stream, expectedVersion: this.version, events }
  }

  /** Applies the server's answer to `commit`: accepted moves the version and the cart's lines. */
  settle(commit: PushCommit, result: CommitResult): void {
    if (result.status !== 'accepted' && result.status !== 'duplicate') return
    this.version = result.positions[result.positions.length - 1]!
    for (const event of commit.events) {
      const { itemId } = event.data as { itemId: string }
      if (event.type === 'Cart.ItemAdded') this.inCart.add(itemId)
      else this.inCart.delete(itemId)
    }
  }
}
