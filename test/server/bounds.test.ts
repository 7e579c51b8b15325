// What one account can make the server hold, on both engines (issue 24, item 1): a pull page is
// cut by bytes in the database as well as by events, a stored event is bounded, and so is what
// one account stores, whole pushes refused before anything of them is stored. The issue's
// 450 pushes of 1 MiB and pulls of 400 are here scaled down through the limits' options.
import { randomUUID } from 'node:crypto'
import { beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import type { Db } from '../../src/server/db/Db'
import { migrate, migrations } from './support/shopMigrate'
import { eventDefinitionsOf, pull, push, type ShopPushOptions as PushOptions } from './support/shopSync'
import { PAGE_BYTES } from '../../src/server/sync/pull'
import { DEFAULT_STORAGE_LIMITS, eventBytesOf } from '../../src/server/sync/storable'
import { defineEvent } from '../../src/eventstore/events'
import { engines } from './support/engines'

const ENGINES = engines()

const Blob = defineEvent('Test.Blob', { schema: z.object({ text: z.string() }) })
const definitions = eventDefinitionsOf({ Blob })

/** An event of about `bytes` bytes of data. */
const blob = (bytes: number) => ({ eventId: randomUUID(), type: 'Test.Blob', data: { text: 'x'.repeat(bytes) }, metadata: { correlationId: 'c' } })
const commit = (stream: string, ...events: ReturnType<typeof blob>[]) => ({ stream, expectedVersion: 'any' as const, events })
const body = (...commits: ReturnType<typeof commit>[]) => ({ clientId: 'device-1', commits })

let db: Db
let alice: string
let bob: string

async function addUser(email: string): Promise<string> {
  const [row] = await db.query<{ id: string | number }>("INSERT INTO users (email, password_hash) VALUES ($1, 'x') RETURNING id", [email])
  return String(row!.id)
}

const countEvents = async (userId: string) => Number((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM events WHERE user_id = $1', [userId]))[0]!.n)
const storedBytes = async (userId: string) => Number((await db.query<{ b: string }>('SELECT stored_bytes::text AS b FROM partitions WHERE user_id = $1', [userId]))[0]?.b ?? 0)
/** Each stored event's `bytes` (what the page cut sums), by partition position. */
async function bytesByPosition(userId: string): Promise<Map<number, number>> {
  const rows = await db.query<{ p: string | number; bytes: number }>('SELECT partition_position AS p, bytes FROM events WHERE user_id = $1', [userId])
  return new Map(rows.map((row) => [Number(row.p), Number(row.bytes)]))
}

/** Resolves with the error a promise rejects with (fails the test if it resolves). */
async function refusal(promise: Promise<unknown>): Promise<Record<string, unknown>> {
  return promise.then(
    (value) => {
      throw new Error(`expected a refusal, got ${JSON.stringify(value).slice(0, 200)}`)
    },
    (error: Record<string, unknown>) => error,
  )
}

describe.each(ENGINES)('limits of what one account holds, on $name', (engine) => {
  beforeAll(async () => {
    db = await engine.open()
  }, 60_000)

  beforeEach(async () => {
    await db.query('TRUNCATE users, partitions, streams, events RESTART IDENTITY CASCADE')
    alice = await addUser('alice@example.com')
    bob = await addUser('bob@example.com')
  })

  it('the attack scaled down: pushes of one large event until the quota refuses one whole, then pages cut by bytes', async () => {
    // 1 MiB events against a 64 MiB quota and 1 MiB pages, a thousand times smaller.
    const limits = { eventBytes: 1_200, accountBytes: 64 * 1_024 }
    const pageBytes = 4_096
    const options: PushOptions = { definitions, limits }
    const answers: Array<{ status: string } | { error: unknown }> = []
    for (let i = 0; i < 450; i++) {
      const pushed = await push(db, alice, body(commit(`blob-${i}`, blob(1_000))), options).catch((error: unknown) => ({ error }))
      answers.push('error' in pushed ? pushed : pushed.results[0]!)
      if ('error' in pushed) break
    }
    const refused = answers.at(-1) as { error: Record<string, unknown> }
    expect(refused.error).toMatchObject({ name: 'ProtocolError', code: 'too_large', status: 413, message: expect.stringContaining('Nothing of it was stored') })
    const accepted = answers.slice(0, -1)
    expect(accepted.every((answer) => 'status' in answer && answer.status === 'accepted')).toBe(true)
    // Each event is about 1,100 bytes with its metadata: about 59 of them fit.
    expect(accepted.length).toBeGreaterThan(40)
    expect(accepted.length).toBeLessThan(70)
    const head = accepted.length
    expect(await countEvents(alice)).toBe(head)
    const stored = await storedBytes(alice)
    expect(stored).toBeLessThanOrEqual(limits.accountBytes)
    expect(stored).toBeGreaterThan(limits.accountBytes - 1_300)
    // A later push that would not fit is refused too, and another account is not.
    await expect(push(db, alice, body(commit('blob-late', blob(1_000))), options)).rejects.toMatchObject({ code: 'too_large' })
    expect(await countEvents(alice)).toBe(head)
    expect((await push(db, bob, body(commit('blob-bob', blob(1_000))), options)).results[0]).toMatchObject({ status: 'accepted' })

    const sizes = await bytesByPosition(alice)
    for (const limit of [400, 1_000]) {
      let after = 0
      const seen: number[] = []
      for (let page = 0; page < 100 && after < head; page++) {
        const answer = await pull(db, alice, { after, limit }, { pageBytes })
        const positions = answer.events.map((event) => event.position)
        const bytes = positions.reduce((sum, position) => sum + sizes.get(position)!, 0)
        expect(positions.length).toBeGreaterThan(0)
        expect(bytes).toBeLessThanOrEqual(pageBytes)
        expect(answer.head).toBe(head)
        const last = positions.at(-1)!
        expect(answer.hasMore).toBe(last < head)
        // Cut where the next event would not fit, not sooner.
        if (last < head) expect(bytes + sizes.get(last + 1)!).toBeGreaterThan(pageBytes)
        seen.push(...positions)
        after = last
      }
      expect(seen).toEqual(Array.from({ length: head }, (_, i) => i + 1))
    }
  })

  it('keeps the page of the protocol: at most `limit` events, and the whole page when it fits the bytes', async () => {
    await push(db, alice, body(commit('small', blob(10), blob(10), blob(10), blob(10), blob(10))), { definitions })
    const page = await pull(db, alice, { after: 0, limit: 3 })
    expect(page.events.map((event) => event.position)).toEqual([1, 2, 3])
    expect(page).toMatchObject({ head: 5, hasMore: true })
    expect(await pull(db, alice, { after: 3 })).toMatchObject({ head: 5, hasMore: false, events: [{ position: 4 }, { position: 5 }] })
    expect(PAGE_BYTES).toBe(1024 * 1024)
  })

  it('always gives the first event, however large, so that a client never stalls', async () => {
    await push(db, alice, body(commit('large', blob(5_000), blob(10))), { definitions })
    const first = await pull(db, alice, { after: 0 }, { pageBytes: 100 })
    expect(first.events.map((event) => event.position)).toEqual([1])
    expect(first.hasMore).toBe(true)
    const second = await pull(db, alice, { after: 1 }, { pageBytes: 100 })
    expect(second.events.map((event) => event.position)).toEqual([2])
    expect(second.hasMore).toBe(false)
  })

  it('refuses an event larger than the limit as its commit’s `rejected: invalid`; the other commits are stored', async () => {
    const limits = { eventBytes: 2_000 }
    const answer = await push(db, alice, body(commit('fits', blob(1_000)), commit('too-large', blob(500), blob(2_500)), commit('fits-too', blob(1_000))), { definitions, limits })
    expect(answer.results).toEqual([
      { status: 'accepted', positions: [0], head: 1 },
      { status: 'rejected', reason: 'invalid', message: expect.stringMatching(/^Event 2 of the commit \(Test\.Blob\) holds \d+ bytes of data and metadata: at most 2000 are stored per event\.$/) },
      { status: 'accepted', positions: [0], head: 2 },
    ])
    expect(await countEvents(alice)).toBe(2)
    const [stream] = await db.query("SELECT 1 FROM streams WHERE stream = 'too-large'")
    expect(stream).toBeUndefined()
  })

  it('bounds a stored event at 256 KiB by default, measured as the server stores it', async () => {
    expect(DEFAULT_STORAGE_LIMITS.eventBytes).toBe(256 * 1024)
    const event = blob(256 * 1024 - 300)
    const size = eventBytesOf(event, { partition: alice, userId: alice, clientId: 'device-1', recordedAt: new Date() })
    expect(size).toBeLessThanOrEqual(256 * 1024)
    expect(size).toBeGreaterThan(256 * 1024 - 400)
    const answer = await push(db, alice, body(commit('fits', event), commit('over', blob(256 * 1024))), { definitions })
    expect(answer.results.map((result) => result.status)).toEqual(['accepted', 'rejected'])
  })

  it('answers a retried push duplicate, not too_large, when its events are stored and the account is full', async () => {
    const limits = { accountBytes: 10_000 }
    const stored = body(commit('retried', blob(6_000)))
    expect((await push(db, alice, stored, { definitions, limits })).results[0]).toMatchObject({ status: 'accepted' })
    // The first answer was lost: the same push again adds nothing, though 6,000 more would not fit.
    expect((await push(db, alice, stored, { definitions, limits })).results[0]).toMatchObject({ status: 'duplicate', positions: [0] })
    // A new event of that size still does not fit.
    await expect(push(db, alice, body(commit('retried', blob(6_000))), { definitions, limits })).rejects.toMatchObject({ code: 'too_large' })
    expect(await countEvents(alice)).toBe(1)
  })

  it('refuses a push past the quota whole (413 too_large) and stores nothing of it, even its commits that would fit', async () => {
    const limits = { accountBytes: 10_000 }
    await push(db, alice, body(commit('a', blob(4_000))), { definitions, limits })
    const before = await storedBytes(alice)
    const error = await refusal(push(db, alice, body(commit('b', blob(1_000)), commit('c', blob(1_000)), commit('d', blob(4_000))), { definitions, limits }))
    expect(error).toMatchObject({ name: 'ProtocolError', code: 'too_large', status: 413 })
    expect(error.message).toMatch(/^This account's storage is full: it holds \d+ bytes of events, at most 10000 are kept, and this push adds \d+\. Nothing of it was stored\.$/)
    expect(await countEvents(alice)).toBe(1)
    expect(await storedBytes(alice)).toBe(before)
    // A commit the server would refuse anyway does not count against the quota.
    const answer = await push(db, alice, body(commit('e', blob(1_000)), commit('f\u0000', blob(8_000))), { definitions, limits })
    expect(answer.results.map((result) => result.status)).toEqual(['accepted', 'rejected'])
  })

  it('counts each append in partitions.stored_bytes, as the server measures the events', async () => {
    const recordedAt = new Date('2026-11-30T10:00:00.000Z')
    const events = [blob(100), blob(2_000)]
    await push(db, alice, body(commit('a', ...events)), { definitions, now: () => recordedAt })
    const expected = events.reduce((sum, event) => sum + eventBytesOf(event, { partition: alice, userId: alice, clientId: 'device-1', recordedAt }), 0)
    expect(await storedBytes(alice)).toBe(expected)
    expect(await storedBytes(bob)).toBe(0)
  })

  it('never lets pushes that run at once take an account past its quota', async () => {
    const limits = { accountBytes: 10_000 }
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        push(db, alice, body(commit(`race-${i}`, blob(4_000))), { definitions, limits }).then(
          (answer) => answer.results[0]!.status,
          (error: { code: string }) => error.code,
        ),
      ),
    )
    expect(answers.filter((status) => status === 'accepted')).toHaveLength(2)
    expect(answers.filter((status) => status === 'too_large')).toHaveLength(4)
    expect(await countEvents(alice)).toBe(2)
    expect(await storedBytes(alice)).toBeLessThanOrEqual(10_000)
  })

  it('migration 006 sizes the events stored before it and counts them for their account', async () => {
    const fresh = await engine.open({ migrated: false })
    await migrate(
      fresh,
      migrations().filter((migration) => migration.version < 6),
    )
    const [user] = await fresh.query<{ id: string }>("INSERT INTO users (email, password_hash) VALUES ('old@example.com', 'x') RETURNING id::text AS id")
    await fresh.query('INSERT INTO partitions (user_id, head) VALUES ($1, 2)', [user!.id])
    await fresh.query("INSERT INTO streams (stream, user_id, version) VALUES ('old', $1, 1)", [user!.id])
    for (const [position, text] of [
      [1, 'a'],
      [2, 'b'.repeat(3_000)],
    ] as const) {
      await fresh.query(
        `INSERT INTO events (user_id, partition_position, stream, stream_position, event_id, type, data, metadata, client_id)
         VALUES ($1, $2, 'old', $3, $4, 'Test.Blob', $5::text::jsonb, '{"correlationId": "c"}', 'device')`,
        [user!.id, position, position - 1, randomUUID(), JSON.stringify({ text })],
      )
    }
    await migrate(fresh)
    const rows = await fresh.query<{ bytes: number; expected: number }>('SELECT bytes, octet_length(data::text) + octet_length(metadata::text) AS expected FROM events ORDER BY partition_position')
    expect(rows.map((row) => row.bytes)).toEqual(rows.map((row) => row.expected))
    expect(rows[1]!.bytes).toBeGreaterThan(3_000)
    const [partition] = await fresh.query<{ stored: string }>('SELECT stored_bytes::text AS stored FROM partitions WHERE user_id = $1', [user!.id])
    expect(Number(partition!.stored)).toBe(rows.reduce((sum, row) => sum + row.bytes, 0))
    // And the page cut reads them.
    const page = await pull(fresh, user!.id, { after: 0 }, { pageBytes: 1_000 })
    expect(page.events.map((event) => event.position)).toEqual([1])
    expect(page.hasMore).toBe(true)
  })
})
