// A device's network, as the test switches it: online, offline (a request fails before it leaves,
// with fetch's own TypeError, as a browser's does), or losing answers (the request reaches the
// server, which acts on it, and the answer never comes back: to the engine, a network failure).
// Every request carries the device's sign-in headers.
import type { Fetch } from '..'
import type { ServerConnection } from './ServerConnection'

/** Which exchange's answer `loseNextAnswer` loses. */
export type AnswerKind = 'push' | 'pull' | 'any'

export class DeviceNetwork {
  state: 'online' | 'offline' = 'online'
  /** Its requests, in order, as `POST /api/sync/push → 200`, `… (offline)`, `… (answer lost)`. */
  readonly requests: string[] = []
  lostAnswers = 0
  private readonly losses: AnswerKind[] = []

  constructor(
    private readonly connection: ServerConnection,
    private readonly headers: Readonly<Record<string, string>>,
  ) {}

  /** The next request of this kind reaches the server, and its answer is lost. */
  loseNextAnswer(of: AnswerKind): void {
    this.losses.push(of)
  }

  /** Answers still to be lost. */
  get answersToLose(): number {
    return this.losses.length
  }

  /** Loses no more answers. */
  keepAnswers(): void {
    this.losses.length = 0
  }

  /** The last answer asked to be lost will not be after all. */
  keepLastAnswer(): void {
    this.losses.pop()
  }

  /** The `fetch` the device's transport calls. */
  readonly fetch: Fetch = async (url, init = {}) => {
    const base = this.connection.url('')
    const line = `${init.method ?? 'GET'} ${url.startsWith(base) ? url.slice(base.length) : url}`
    if (this.state === 'offline') {
      this.requests.push(`${line} (offline)`)
      throw new TypeError('Failed to fetch (the device is offline)')
    }
    const sent = new Headers(init.headers)
    for (const [name, value] of Object.entries(this.headers)) sent.set(name, value)
    const response = await this.connection.send(url, { ...init, headers: sent })
    if (this.takeLoss(line)) {
      // Read to the end: the server is done with it, and only the way back fails.
      await response.arrayBuffer().catch(() => undefined)
      this.lostAnswers++
      this.requests.push(`${line} (answer lost)`)
      throw new TypeError('Failed to fetch (the connection was lost after the request was sent)')
    }
    this.requests.push(`${line} → ${response.status}`)
    return response
  }

  private takeLoss(line: string): boolean {
    const kind = line.includes('/api/sync/push') ? 'push' : line.includes('/api/sync/pull') ? 'pull' : undefined
    const index = this.losses.findIndex((of) => of === 'any' || of === kind)
    if (index === -1) return false
    this.losses.splice(index, 1)
    return true
  }
}
