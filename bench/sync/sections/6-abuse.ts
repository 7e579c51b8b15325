// Item 6: abuse. One server process on a durable PostgreSQL cluster; while each abuse runs in a
// bounded loop on loopback, another user (the bystander) pushes a cart commit and pulls it back,
// one after the other: its push and pull p95 beside the same loop's on the quiet server (the
// baseline). Memory is the server process's resident set (VmRSS of /proc/<pid>/status), read
// before, during and after, with its open files (every connection is one). The answers are
// checked as the tests check them (a wrong one fails the section), the timings are only shown.
import { randomUUID } from 'node:crypto'
import { openFilesOf, openStream, postJson, rssOf, signUpFrom, uploadSlowly, inWaves, call, type Answer, type Stream } from '../../../test/server/support/abuseHttp'
import { startServer, type ServerProcess } from '../../../test/server/support/serverProcess'
import { CartCommits, HttpDevice } from '../client'
import { latency, latencyText, ms, num, ratioText, status, type Latency } from '../stats'
import type { Section, SectionContext, SyncRow } from '../types'

const MB = 1024 * 1024
const GOAL = "others' push and pull p95 ≤ 2× quiet; right answers"

interface Others {
  push: Latency
  pull: Latency
}

/** The bystander's loop: push a commit, pull after its cursor; until `done` settles and at least `min` rounds ran. */
async function bystand(device: HttpDevice, cart: CartCommits, done: Promise<unknown>, min: number): Promise<Others> {
  let over = false
  void done.finally(() => (over = true)).catch(() => undefined)
  const push: number[] = []
  const pull: number[] = []
  let cursor = 0
  for (let round = 0; !over || round < min; round++) {
    const commit = cart.next()
    let started = performance.now()
    const answer = await device.push([commit])
    push.push(performance.now() - started)
    cart.settle(commit, answer.results[0]!)
    if (answer.results[0]!.status !== 'accepted') throw new Error(`bystander's push: ${JSON.stringify(answer.results[0])}`)
    started = performance.now()
    const page = await device.pull(cursor)
    pull.push(performance.now() - started)
    cursor = page.head
  }
  return { push: latency(push), pull: latency(pull) }
}

const othersText = (o: Others) => `push p95 ${num(o.push.p95)} · pull p95 ${num(o.pull.p95)} ms`

function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(what)
}

const codeOf = (answer: Answer) => (answer.text.startsWith('{') ? (JSON.parse(answer.text) as { error?: { code: string } }).error?.code : undefined)

export const section: Section = {
  item: '6',
  title: 'Abuse: bad logins, big and deep bodies, idle and unread live streams; others unaffected',
  async run(context: SectionContext): Promise<SyncRow[]> {
    const { quick, log } = context
    const cluster = await context.postgres()
    const server: ServerProcess = await startServer({ DATABASE_URL: cluster.url })
    context.defer(() => server.stop().then(() => undefined))
    const base = server.base
    const device = await HttpDevice.signUp(base, `bystander-${randomUUID()}@bench.example`)
    const cart = new CartCommits()
    const rounds = quick ? 20 : 100
    const quiet = await bystand(device, cart, Promise.resolve(), rounds)
    log(`quiet: ${othersText(quiet)}`)
    const rows: SyncRow[] = []

    /** Runs `abuse` with the bystander beside it; one row: Kiroku = others' p95 during it (and what `abuse` says), baseline = quiet. */
    const row = async (id: string, label: string, abuse: () => Promise<{ text: string; ok: Array<readonly [boolean, string]>; detail: unknown }>) => {
      const rssBefore = rssOf(server.pid)
      const started = performance.now()
      const running = abuse()
      const others = await bystand(device, cart, running, 5)
      const result = await running
      const seconds = (performance.now() - started) / 1000
      const ratio = Math.max(others.push.p95 / quiet.push.p95, others.pull.p95 / quiet.pull.p95)
      const entry: SyncRow = {
        item: '6',
        id,
        label,
        engine: 'postgres',
        kiroku: `${result.text} · others' ${othersText(others)}`,
        baseline: `quiet: ${othersText(quiet)}`,
        ratio: ratioText(ratio),
        goal: GOAL,
        status: status([[ratio <= 2, `others' p95 ${ratioText(ratio)} quiet`], ...result.ok]),
        detail: { ...(result.detail as object), seconds, others, quiet, rssBefore, rssAfter: rssOf(server.pid) },
      }
      log(`${label}: ${entry.kiroku} (${seconds.toFixed(1)} s)`)
      rows.push(entry)
    }

    const logins = quick ? 200 : 1000
    const loginRow = async (id: string, label: string, email: (i: number) => string, from: (i: number) => string, limit: number) => {
      await row(id, label, async () => {
        const started = performance.now()
        const minuteAtStart = Math.floor(Date.now() / 60_000)
        const answers = await inWaves(logins, 50, (i) => postJson(base, '/api/auth/login', { email: email(i), password: 'wrong password' }, { from: from(i) }))
        const secondsTaken = (performance.now() - started) / 1000
        // Fixed one-minute windows: each minute the loop reached lets up to `limit` through.
        const windows = Math.floor(Date.now() / 60_000) - minuteAtStart + 1
        const refused = answers.filter((a) => a.status === 429)
        const tried = answers.filter((a) => a.status === 401)
        check(refused.length + tried.length === logins, `${id}: an answer other than 401 or 429`)
        check(refused.every((a) => codeOf(a) === 'rate_limited' && /^\d+$/.test(String(a.headers['retry-after']))), `${id}: a 429 without rate_limited and Retry-After`)
        check(tried.length <= windows * limit, `${id}: ${tried.length} answered 401 in ${windows} minute(s), past the limit of ${limit} a minute`)
        return {
          text: `${logins.toLocaleString('en-US')} in ${num(secondsTaken)} s: ${tried.length}×401, ${refused.length}×429`,
          ok: [],
          detail: { logins, windows, tried: tried.length, refused: refused.length, perSecond: logins / secondsTaken },
        }
      })
    }
    await loginRow('abuse-logins-one-address', 'bad logins: many emails, one address', (i) => `nobody-${i}@bench.example`, () => '127.0.0.10', 60)
    await HttpDevice.signUp(base, 'target@bench.example')
    await loginRow('abuse-logins-one-email', 'bad logins: one email, many addresses', () => 'target@bench.example', (i) => `127.0.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`, 30)

    const uploads = quick ? 2 : 8
    const total = quick ? 20 * MB : 100 * MB
    await row('abuse-body-chunked', `${uploads} bodies of ${total / MB} MB, chunked, no length`, async () => {
      const before = rssOf(server.pid)
      const answers = await Promise.all(Array.from({ length: uploads }, () => uploadSlowly(base, '/api/sync/push', { total, everyMs: 2, headers: { cookie: device.sessionCookie } })))
      const growth = rssOf(server.pid) - before
      // The server answers 413 and, after draining a moment, closes the connection while the client
      // still writes: the answer's body may then be cut short by the reset, but its status is in.
      const refused = (a: (typeof answers)[number]) => a.status === 413 && (!a.text.trim().endsWith('}') || codeOf(a as unknown as Answer) === 'too_large')
      check(answers.every(refused), `an oversized body not answered 413 too_large: ${answers.map((a) => `${a.status} ${a.text.slice(0, 80)}`).join(' | ')}`)
      const sent = Math.max(...answers.map((a) => a.sent))
      const answeredIn = latency(answers.map((a) => a.ms))
      return {
        text: `413 after ≤ ${num(sent / MB)} MB sent, in ${ms(answeredIn.max)}; RSS +${num(growth / MB)} MB`,
        ok: [[growth < 64 * MB, `RSS grew ${num(growth / MB)} MB`]],
        detail: { uploads, total, sentMax: sent, answeredIn, rssGrowth: growth },
      }
    })

    const deepCount = quick ? 20 : 200
    await row('abuse-body-deep', `${deepCount} bodies nested 100,000 deep`, async () => {
      const deep = '['.repeat(100_000) + ']'.repeat(100_000)
      const times: number[] = []
      await inWaves(deepCount, 10, async () => {
        const started = performance.now()
        const answer = await postJson(base, '/api/sync/push', deep, { headers: { cookie: device.sessionCookie } })
        times.push(performance.now() - started)
        check(answer.status === 400 && codeOf(answer) === 'invalid', `a deep body answered ${answer.status} ${answer.text}`)
      })
      return { text: `400 invalid: ${latencyText(latency(times))}`, ok: [], detail: { deepCount, answers: latency(times) } }
    })

    const liveCount = quick ? 200 : 1000
    const accounts = liveCount / 20
    const cookies = await inWaves(accounts, 4, (i) => signUpFrom(base, `live-${i}-${randomUUID()}@bench.example`, '127.0.0.20'))
    let perStream = 0
    await row('abuse-live-idle', `${liveCount.toLocaleString('en-US')} idle live streams (${accounts} accounts)`, async () => {
      const [rss0, files0] = [rssOf(server.pid), openFilesOf(server.pid)]
      const streams = await inWaves(liveCount, 100, async (i) => {
        const stream = await openStream(base, '/api/sync/live', { headers: { cookie: cookies[i % accounts]! } })
        check(stream.status === 200, `live stream ${i}: ${stream.status}`)
        await stream.until(/event: head/)
        return stream
      })
      const [rss1, files1] = [rssOf(server.pid), openFilesOf(server.pid)]
      const refused = await openStream(base, '/api/sync/live', { headers: { cookie: cookies[0]! } })
      check(refused.status === 429, `the 21st stream of one account answered ${refused.status}`)
      refused.close()
      for (const stream of streams) stream.close()
      for (let round = 0; openFilesOf(server.pid) > files0 + 5 && round < 100; round++) await new Promise((resolve) => setTimeout(resolve, 100))
      const [rss2, files2] = [rssOf(server.pid), openFilesOf(server.pid)]
      perStream = (rss1 - rss0) / liveCount
      return {
        text: `RSS ${num(rss0 / MB)} → ${num(rss1 / MB)} → ${num(rss2 / MB)} MB (${num(perStream / 1024)} KB a stream), files ${files0} → ${files1} → ${files2}`,
        ok: [[files2 <= files0 + 5, `${files2 - files0} files still open after the streams closed`]],
        detail: { liveCount, accounts, rss: [rss0, rss1, rss2], files: [files0, files1, files2], perStream },
      }
    })

    const slow = quick ? 20 : 100
    const pushes = quick ? 50 : 300
    await row('abuse-live-unread', `${slow} live streams never read while their heads move ${pushes}×`, async () => {
      const owners = await Promise.all(Array.from({ length: 5 }, () => HttpDevice.signUp(base, `unread-${randomUUID()}@bench.example`)))
      const rss0 = rssOf(server.pid)
      const streams: Stream[] = await inWaves(slow, 20, (i) => openStream(base, '/api/sync/live', { headers: { cookie: owners[i % 5]!.sessionCookie }, read: false }))
      check(streams.every((s) => s.status === 200), 'an unread stream was refused')
      const carts = owners.map(() => new CartCommits())
      for (let i = 0; i < pushes; i++) {
        const owner = i % 5
        const commit = carts[owner]!.next()
        carts[owner]!.settle(commit, (await owners[owner]!.push([commit])).results[0]!)
      }
      const rss1 = rssOf(server.pid)
      check((await call(base, '/api/health')).status === 200, 'health')
      for (const stream of streams) stream.close()
      return {
        text: `RSS +${num((rss1 - rss0) / MB)} MB`,
        ok: [[rss1 - rss0 < 64 * MB, `RSS grew ${num((rss1 - rss0) / MB)} MB`]],
        detail: { slow, pushes, rss: [rss0, rss1] },
      }
    })
    log(`memory per idle live stream: ${num(perStream / 1024)} KB`)
    return rows
  },
}
