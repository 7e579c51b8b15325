// Item 4: many users. 10,000 accounts and 1,000,000 events in PostgreSQL (--quick: 1,000 and
// 100,000), seeded in bulk with SQL (bench/sync/server/seed.ts): push and pull through the server
// at about 10,000 events and again at the full count must take the same time, and EXPLAIN
// (ANALYZE, BUFFERS) of every statement a push and a pull send (captured from the server's own
// code, bench/sync/server/explaining.ts) must read by index, not by scanning a table.
import { writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import pg from 'pg'
import { userOf } from '../../../src/server/accounts'
import { openPostgres } from '../../../src/server/db/postgres'
import { pull, push } from '../../../test/server/support/shopSync'
import { startServer } from '../../../test/server/support/serverProcess'
import { CartCommits, HttpDevice } from '../client'
import { explaining, indexesUsed, seqScans, type Plan } from '../server/explaining'
import { seedAccounts, seedEvents } from '../server/seed'
import { latency, latencyText, num, ratioText, status, type Latency } from '../stats'
import type { Section, SyncRow } from '../types'

/** Signed-up accounts that pull (with a fixed history of their own) and that push (to fresh carts). */
const PULLERS = 2
const PUSHERS = 2
const PULLER_EVENTS = 200
const PAGE = 100

interface Stage {
  events: number
  push: Latency
  pull: Latency
  seedMs: number
}

export const section: Section = {
  item: '4',
  title: 'Many users',
  async run(context) {
    const accounts = context.quick ? 1_000 : 10_000
    const first = context.quick ? 10 : 1 // events per seeded account at the first stage
    const total = context.quick ? 100_000 : 1_000_000
    const calls = context.quick ? 50 : 150 // per account, at each stage
    const seeded = accounts - PULLERS - PUSHERS
    const last = (total - PULLERS * PULLER_EVENTS) / seeded
    if (!Number.isInteger(last)) throw new Error(`${total} events do not share out over ${seeded} accounts`)

    const cluster = await context.postgres()
    const server = await startServer({ DATABASE_URL: cluster.url })
    context.defer(async () => void (await server.stop()))
    const client = new pg.Client({ connectionString: cluster.url })
    await client.connect()
    context.defer(() => client.end())

    const pullers = await Promise.all(Array.from({ length: PULLERS }, (_, i) => HttpDevice.signUp(server.base, `puller-${i}@bench.example`)))
    const pushers = await Promise.all(Array.from({ length: PUSHERS }, (_, i) => HttpDevice.signUp(server.base, `pusher-${i}@bench.example`)))
    const pullerIds = pullers.map((device) => device.userId)
    await client.query('INSERT INTO partitions (user_id) SELECT unnest($1::bigint[])', [pullerIds])
    let started = performance.now()
    const seededIds = await seedAccounts(client, 'seeded-', seeded)
    await seedEvents(client, pullerIds, 0, PULLER_EVENTS)
    await seedEvents(client, seededIds, 0, first)
    await settle(client)
    const stages: Stage[] = []
    const measure = async (seedMs: number) => {
      const [{ n }] = (await client.query<{ n: number }>('SELECT count(*)::int AS n FROM events')).rows as [{ n: number }]
      const { push: pushed, pull: pulled } = await callThrough(pushers, pullers, calls)
      stages.push({ events: n, push: pushed, pull: pulled, seedMs })
      context.log(`${num(n)} events, ${num(accounts)} accounts (seeded in ${num(seedMs)} ms): push ${latencyText(pushed)}; pull of ${PAGE} ${latencyText(pulled)}`)
    }
    await measure(performance.now() - started)

    started = performance.now()
    await seedEvents(client, seededIds, first, last)
    await settle(client)
    await measure(performance.now() - started)

    const plans = await explainAll(cluster.url, pushers[0]!, pullers[0]!)
    // A quick run's plans go to a temp file: the committed ones are of the full count.
    const planFile = context.quick ? join(tmpdir(), 'kiroku-4-users.plans.md') : join(context.root, 'bench', 'sync', 'sections', '4-users.plans.md')
    writeFileSync(planFile, renderPlans(plans, stages.at(-1)!.events, accounts))
    const scanned = [...new Set(plans.flatMap((entry) => seqScans(entry.plan)))]
    context.log(`EXPLAIN: ${plans.length} statements; indexes ${[...new Set(plans.flatMap((entry) => indexesUsed(entry.plan)))].join(', ')}; sequential scans: ${scanned.join(', ') || 'none'} (plans in ${planFile})`)

    const [small, large] = stages as [Stage, Stage]
    const flat = (what: 'push' | 'pull'): SyncRow => {
      const ratio = large[what].p50 / small[what].p50
      return {
        item: '4',
        id: `users-${what}`,
        label: `${what === 'push' ? 'push (one commit)' : `pull (a page of ${PAGE})`}, ${num(accounts)} accounts: ${num(large.events)} events vs ${num(small.events)}`,
        engine: 'postgres',
        kiroku: latencyText(large[what]),
        baseline: latencyText(small[what]),
        ratio: ratioText(ratio),
        goal: `flat: p50 ≤ 1.5× at ${num(small.events)} events`,
        status: status([[ratio <= 1.5, 'p50 grew over 1.5×']]),
        detail: { accounts, calls: calls * (what === 'push' ? PUSHERS : PULLERS), stages: stages.map((stage) => ({ events: stage.events, latency: stage[what], seedMs: stage.seedMs })) },
      }
    }
    return [
      flat('push'),
      flat('pull'),
      {
        item: '4',
        id: 'users-explain',
        label: `EXPLAIN of push's and pull's ${plans.length} statements at ${num(large.events)} events`,
        engine: 'postgres',
        kiroku: scanned.length ? `sequential scan of ${scanned.join(', ')}` : 'index scans only',
        baseline: '—',
        ratio: '—',
        goal: 'the intended indexes',
        status: status([[scanned.length === 0, `sequential scan of ${scanned.join(', ')}`]]),
        detail: plans.map((entry) => ({ sql: entry.sql.replace(/\s+/g, ' ').trim(), indexes: indexesUsed(entry.plan), seqScans: seqScans(entry.plan) })),
      },
    ]
  },
}

/** Pushes (each pusher's next cart commit) and pulls (a page of the puller's history from a random
 * cursor) one call at a time, alternating, `calls` per account; the time of each. */
async function callThrough(pushers: readonly HttpDevice[], pullers: readonly HttpDevice[], calls: number): Promise<{ push: Latency; pull: Latency }> {
  const carts = pushers.map(() => new CartCommits())
  const pushes: number[] = []
  const pulls: number[] = []
  const warmUp = 5
  for (let round = 0; round < calls + warmUp; round++) {
    for (const [i, device] of pushers.entries()) {
      const commit = carts[i]!.next()
      const sent = performance.now()
      const { results } = await device.push([commit])
      if (round >= warmUp) pushes.push(performance.now() - sent)
      if (results[0]!.status !== 'accepted') throw new Error(`push: ${JSON.stringify(results[0])}`)
      carts[i]!.settle(commit, results[0]!)
    }
    for (const device of pullers) {
      const after = Math.floor(Math.random() * (PULLER_EVENTS - PAGE))
      const sent = performance.now()
      const page = await device.pull(after, PAGE)
      if (round >= warmUp) pulls.push(performance.now() - sent)
      if (page.events.length !== PAGE || page.events[0]!.position !== after + 1) throw new Error(`pull after ${after}: ${page.events.length} events from ${page.events[0]?.position}`)
    }
  }
  return { push: latency(pushes), pull: latency(pulls) }
}

/** EXPLAIN (ANALYZE, BUFFERS) of the statements the server's code sends for a session check, a
 * push of one commit to a new cart and one to that cart again, and a pull of a page. */
async function explainAll(url: string, pusher: HttpDevice, puller: HttpDevice): Promise<Array<Plan & { call: string }>> {
  const db = await openPostgres(url, { max: 2 })
  try {
    const all: Array<Plan & { call: string }> = []
    const run = async (call: string, fn: (db: ReturnType<typeof explaining>) => Promise<unknown>) => {
      const plans: Plan[] = []
      await fn(explaining(db, plans))
      all.push(...plans.map((plan) => ({ ...plan, call })))
    }
    await run('session check (every /api/sync call)', (explained) => userOf(explained, pusher.sessionCookie.split('=')[1]))
    const carts = new CartCommits()
    for (const call of ['push, a new cart', 'push, the same cart again']) {
      await run(call, async (explained) => {
        const commit = carts.next()
        const { results } = await push(explained, pusher.userId, { clientId: 'explain', commits: [commit] })
        carts.settle(commit, results[0]! as Parameters<CartCommits['settle']>[1])
      })
    }
    await run(`pull, a page of ${PAGE}`, (explained) => pull(explained, puller.userId, { after: 50, limit: PAGE }))
    return all
  } finally {
    await db.close()
  }
}

function renderPlans(plans: ReadonlyArray<Plan & { call: string }>, events: number, accounts: number): string {
  const parts = [
    `# EXPLAIN (ANALYZE, BUFFERS) of push and pull at ${num(events)} events, ${num(accounts)} accounts`,
    '',
    'Written by `npm run bench:sync -- --only 4`: every statement the server sends, with its parameters, as the server sent it.',
  ]
  for (const plan of plans) {
    parts.push('', `## ${plan.call}`, '', '```sql', plan.sql.trim(), '```', '', `parameters: \`${JSON.stringify(plan.params).slice(0, 300)}\``, '', '```', plan.plan, '```')
  }
  return `${parts.join('\n')}\n`
}

/**
 * After a bulk seed, what a live server would have by then: its `orders` subscription past the
 * seeded events (they are cart events, which it only reads past: left to it, it would spend the
 * measured minutes reading a million events in batches of 100 beside the measured calls), tables
 * VACUUMed and ANALYZEd as autovacuum does, and a CHECKPOINT, so the measured calls do not share
 * the disk with the checkpointer writing the seed out.
 */
async function settle(client: { query(sql: string): Promise<unknown> }): Promise<void> {
  // Waits for the server's own batch in hand (it holds the row), then moves past the last event in commit order.
  await client.query(
    `UPDATE subscription_checkpoints c SET transaction_id = e.transaction_id, global_position = e.global_position, updated_at = now()
       FROM (SELECT transaction_id, global_position FROM events ORDER BY transaction_id DESC, global_position DESC LIMIT 1) e
      WHERE c.name = 'orders'`,
  )
  await client.query('VACUUM (ANALYZE) users, partitions, streams, events')
  await client.query('CHECKPOINT')
}
