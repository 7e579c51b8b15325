// Abuse against a real server process (on a throwaway PostgreSQL), over loopback, in bounded loops: a thousand bad
// logins for many emails from one address and for one email from many addresses (127.0.x.y: every
// one of them is this machine), a 100 MB body sent slowly with and without a length, and bodies
// nested 100,000 levels deep. The server answers what it should (429 rate_limited with a
// Retry-After, 413 too_large, 400 invalid), its memory stays bounded, and meanwhile another user
// signs in and the server answers its health.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { call, inWaves, postJson, rssOf, signUpFrom, uploadSlowly, type Answer } from './support/abuseHttp'
import { startPostgres, type PostgresCluster } from './support/postgres'
import { itemAdded, killAll, startServer, type ServerProcess } from './support/serverProcess'

const PASSWORD = 'correct horse battery'
const MB = 1024 * 1024

let cluster: PostgresCluster | undefined
let server: ServerProcess
let bystander: string

beforeAll(async () => {
  cluster = await startPostgres()
  server = await startServer({ DATABASE_URL: cluster.url })
  await signUpFrom(server.base, 'target@example.com', '127.0.0.2')
  bystander = await signUpFrom(server.base, 'bystander@example.com', '127.0.0.3')
}, 180_000)

afterAll(async () => {
  await server?.stop().catch(() => killAll())
  await cluster?.stop()
}, 60_000)

const login = (email: string, password: string, from: string) => postJson(server.base, '/api/auth/login', { email, password }, { from })

/** The error code of an answer, or undefined. */
const codeOf = (answer: Answer) => (answer.text.startsWith('{') ? (JSON.parse(answer.text) as { error?: { code: string } }).error?.code : undefined)

/** Checks every refusal: 429 rate_limited with Retry-After, whole seconds within the one-minute window. */
function expectRefusals(answers: Answer[]) {
  for (const answer of answers.filter((a) => a.status === 429)) {
    expect(codeOf(answer)).toBe('rate_limited')
    expect(answer.headers['retry-after']).toMatch(/^\d+$/)
    expect(Number(answer.headers['retry-after'])).toBeGreaterThanOrEqual(1)
    expect(Number(answer.headers['retry-after'])).toBeLessThanOrEqual(60)
  }
}

/** How many one-minute windows of the clock `run` spanned (on a busy machine a loop can take more than one). */
async function inWindows<T>(run: () => Promise<T>): Promise<{ result: T; windows: number }> {
  const started = Date.now()
  const result = await run()
  return { result, windows: Math.floor(Date.now() / 60_000) - Math.floor(started / 60_000) + 1 }
}

/** While `abuse` runs: the server's health and the bystander's own session keep answering. */
async function whileRunning<T>(abuse: Promise<T>): Promise<{ result: T; checks: number }> {
  let over = false
  let checks = 0
  const watching = (async () => {
    while (!over) {
      expect((await call(server.base, '/api/health')).status).toBe(200)
      expect((await call(server.base, '/api/auth/me', { headers: { cookie: bystander } })).status).toBe(200)
      checks++
    }
  })()
  try {
    return { result: await abuse, checks }
  } finally {
    over = true
    await watching
  }
}

describe('a thousand bad logins', () => {
  it('for many emails from one address: past 60 a minute every one is 429 rate_limited with a Retry-After, and others still sign in', async () => {
    const {
      result: { result: answers, windows },
      checks,
    } = await whileRunning(inWindows(() => inWaves(1000, 50, (i) => login(`nobody-${i}@example.com`, 'wrong password', '127.0.0.10'))))
    const statuses = new Set(answers.map((a) => a.status))
    expect([...statuses].sort()).toEqual([401, 429])
    // Fixed windows: each minute the loop reached lets up to 60 through.
    expect(answers.filter((a) => a.status === 401).length).toBeLessThanOrEqual(60 * windows)
    expect(answers.filter((a) => a.status === 429).length).toBeGreaterThanOrEqual(1000 - 60 * windows)
    expectRefusals(answers)
    expect(checks).toBeGreaterThan(0)
    // Another address, and another account, are not limited by it.
    expect((await login('bystander@example.com', PASSWORD, '127.0.0.11')).status).toBe(200)
  }, 240_000)

  it('for one email from many addresses: past 30 a minute every one is 429 rate_limited, the account only', async () => {
    const from = (i: number) => `127.0.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`
    const {
      result: { result: answers, windows },
    } = await whileRunning(inWindows(() => inWaves(1000, 50, (i) => login('target@example.com', 'wrong password', from(i)))))
    expect(answers.every((a) => a.status === 401 || a.status === 429)).toBe(true)
    expect(answers.filter((a) => a.status === 401).length).toBeLessThanOrEqual(30 * windows)
    expect(answers.filter((a) => a.status === 429).length).toBeGreaterThanOrEqual(1000 - 30 * windows)
    expectRefusals(answers)
    // The other account signs in from any of those addresses.
    expect((await login('bystander@example.com', PASSWORD, from(999))).status).toBe(200)
  }, 240_000)
})

describe('bodies', () => {
  it('refuses 100 MB with a Content-Length at once (413 too_large), having read next to nothing', async () => {
    const answer = await uploadSlowly(server.base, '/api/auth/signup', { total: 100 * MB, withLength: true, everyMs: 5 })
    expect(answer.status).toBe(413)
    expect(JSON.parse(answer.text)).toMatchObject({ error: { code: 'too_large' } })
    expect(answer.sent).toBeLessThan(10 * MB)
  }, 240_000)

  it('refuses 100 MB sent slowly in chunks with no length once past 1 MiB (413 too_large), and its memory does not grow with it', async () => {
    const before = rssOf(server.pid)
    const answers = await Promise.all(
      Array.from({ length: 4 }, () => uploadSlowly(server.base, '/api/sync/push', { total: 100 * MB, everyMs: 2, headers: { cookie: bystander } })),
    )
    for (const answer of answers) {
      expect(answer.status).toBe(413)
      expect(JSON.parse(answer.text)).toMatchObject({ error: { code: 'too_large' } })
      expect(answer.sent).toBeLessThan(20 * MB)
    }
    expect(rssOf(server.pid) - before).toBeLessThan(64 * MB)
    expect((await call(server.base, '/api/health')).status).toBe(200)
  }, 240_000)

  it('answers 400 invalid to JSON nested 100,000 levels deep, anywhere in the body, and keeps answering', async () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000)
    const event = { ...itemAdded('deep'), data: '__DEEP__' }
    const envelope = JSON.stringify({ clientId: 'laptop', commits: [{ stream: 'Cart$deep', expectedVersion: -1, events: [event] }] })
    const bodies = [
      deep,
      '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000),
      envelope.replace('"__DEEP__"', deep),
      '['.repeat(MB - 1000),
    ]
    for (const body of bodies) {
      const answer = await postJson(server.base, '/api/sync/push', body, { headers: { cookie: bystander } })
      expect(answer.status).toBe(400)
      expect(codeOf(answer)).toBe('invalid')
    }
    const signup = await postJson(server.base, '/api/auth/signup', deep, { from: '127.0.0.12' })
    expect({ status: signup.status, code: codeOf(signup) }).toEqual({ status: 400, code: 'invalid' })
    // Nothing was stored, and the server still pushes a normal commit.
    const pulled = await call(server.base, '/api/sync/pull?after=0', { headers: { cookie: bystander } })
    expect(JSON.parse(pulled.text)).toMatchObject({ events: [], head: 0 })
    const pushed = await postJson(server.base, '/api/sync/push', envelope.replace('"__DEEP__"', JSON.stringify(itemAdded('deep').data)), { headers: { cookie: bystander } })
    expect(pushed.status).toBe(200)
    expect(JSON.parse(pushed.text)).toMatchObject({ results: [{ status: 'accepted' }], head: 1 })
  }, 240_000)
})
