// What PostgreSQL and the server's projections cannot hold is refused before it is stored, on both
// engines (issue 24, items 2 and 6): a NUL or a lone surrogate anywhere in a commit is that
// commit's `rejected: invalid` (the others go on), in the clientId the push's 400 `invalid`; a
// `metadata.timestamp` or `validAt` that is not an ISO instant of years 0001–9999 likewise; the
// server's `recordedAt` stays the time of record.
import { randomUUID } from 'node:crypto'
import { beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import type { Db } from '../../src/server/db/Db'
import { eventDefinitionsOf, pull, push } from './support/shopSync'
import { dateProblem, DEFAULT_STORAGE_LIMITS, isStorableText, unstorablePath } from '../../src/server/sync/storable'
import { defineEvent } from '../../src/eventstore/events'
import { engines } from './support/engines'

const ENGINES = engines()

const Note = defineEvent('Test.Note', { schema: z.object({ text: z.string() }).passthrough() })
const definitions = eventDefinitionsOf({ Note })

const note = (data: Record<string, unknown> = { text: 'hello' }, metadata: Record<string, unknown> = {}) => ({
  eventId: randomUUID(),
  type: 'Test.Note',
  data,
  metadata: { correlationId: 'c', ...metadata },
})
type Note = ReturnType<typeof note>
const commit = (stream: string, ...events: Note[]) => ({ stream, expectedVersion: 'any' as const, events })
const body = (...commits: ReturnType<typeof commit>[]) => ({ clientId: 'device-1', commits })

const NUL = '\u0000'
const LONE_HIGH = '\ud800'
const LONE_LOW = '\udc00'

let db: Db
let alice: string

const countEvents = async () => Number((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM events'))[0]!.n)

describe('what PostgreSQL can store', () => {
  it('tells a NUL and a lone surrogate from any other text', () => {
    for (const text of ['', 'plain', 'ü日本', '😀', '\ud83d\ude00', '\u0001\u001f', 'a\\u0000']) expect(isStorableText(text)).toBe(true)
    for (const text of [NUL, `a${NUL}b`, LONE_HIGH, `x${LONE_LOW}`, `${LONE_LOW}${LONE_HIGH}`, '\ud83d']) expect(isStorableText(text)).toBe(false)
  })

  it('finds the first string or key that cannot be stored, however deep', () => {
    expect(unstorablePath({ a: [1, 'ok', { b: `x${NUL}` }] })).toBe('a.2.b')
    expect(unstorablePath({ [`k${NUL}`]: 1 })).toBe('(a key)')
    expect(unstorablePath(`${LONE_HIGH}`)).toBe('(the value)')
    expect(unstorablePath({ a: 1, b: [true, null, 2.5, 'fine'] })).toBeUndefined()
    let deep: unknown = LONE_LOW
    for (let i = 0; i < 10_000; i++) deep = [deep]
    expect(unstorablePath(deep)).toMatch(/^0(\.0)*$/)
  })

  it('takes an ISO instant with its zone in years 0001–9999 and nothing else', () => {
    for (const date of ['2026-11-29T10:00:00.000Z', '2026-11-29T19:00:00+09:00', '2026-11-29T10:00:00Z', '2024-02-29T23:59:59.999999Z', '0001-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z'])
      expect(dateProblem(date, DEFAULT_STORAGE_LIMITS)).toBeUndefined()
    for (const date of [
      '+275760-09-13T00:00:00.000Z',
      '0000-01-01T00:00:00.000Z',
      '2026-02-30T10:00:00.000Z',
      '2025-02-29T10:00:00.000Z',
      '2026-11-29T24:00:00.000Z',
      '2026-13-01T00:00:00.000Z',
      '9999-12-31T23:59:59.999-01:00',
      '0001-01-01T00:00:00+01:00',
      '2026-11-29',
      '2026-11-29T10:00:00',
      'yesterday',
      '',
      1_795_914_000_000,
      null,
      { at: '2026-11-29T10:00:00.000Z' },
    ])
      expect(dateProblem(date, DEFAULT_STORAGE_LIMITS)).toEqual(expect.any(String))
  })
})

describe.each(ENGINES)('commits PostgreSQL cannot hold, on $name', (engine) => {
  beforeAll(async () => {
    db = await engine.open()
  }, 60_000)

  beforeEach(async () => {
    await db.query('TRUNCATE users, partitions, streams, events RESTART IDENTITY CASCADE')
    const [row] = await db.query<{ id: string | number }>("INSERT INTO users (email, password_hash) VALUES ('alice@example.com', 'x') RETURNING id")
    alice = String(row!.id)
  })

  const unstorable: Array<[string, ReturnType<typeof commit>]> = [
    ['a NUL in the stream name', commit(`notes${NUL}`, note())],
    ['a lone surrogate in the stream name', commit(`notes${LONE_HIGH}`, note())],
    ['a NUL in a data value', commit('notes-x', note({ text: `a${NUL}b` }))],
    ['a NUL in a data key', commit('notes-x', note({ text: 'a', [`k${NUL}`]: 1 }))],
    ['a lone surrogate in data', commit('notes-x', note({ text: `a${LONE_LOW}` }))],
    ['a NUL deep in data', commit('notes-x', note({ text: 'a', list: [{ deeper: [`${NUL}`] }] }))],
    ['a NUL in metadata', commit('notes-x', note(undefined, { correlationId: `c${NUL}` }))],
    ['a lone surrogate in a metadata key', commit('notes-x', note(undefined, { [`${LONE_HIGH}`]: 'x' }))],
    ['a NUL in the event type', commit('notes-x', { ...note(), type: `Test.Note${NUL}` })],
    ['the bad event second in its commit', commit('notes-x', note(), note({ text: NUL }))],
    ['a stream name of 257 characters', commit('n'.repeat(257), note())],
    ['a timestamp past year 9999', commit('notes-x', note(undefined, { timestamp: '+275760-09-13T00:00:00.000Z' }))],
    ['a timestamp in year 0', commit('notes-x', note(undefined, { timestamp: '0000-01-01T00:00:00.000Z' }))],
    ['a timestamp of a day no calendar has', commit('notes-x', note(undefined, { timestamp: '2026-02-30T10:00:00.000Z' }))],
    ['a timestamp that is no date', commit('notes-x', note(undefined, { timestamp: 'yesterday' }))],
    ['a timestamp that is a number', commit('notes-x', note(undefined, { timestamp: 1_795_914_000_000 }))],
    ['a timestamp without its zone', commit('notes-x', note(undefined, { timestamp: '2026-11-29T10:00:00' }))],
    ['a validAt past year 9999', commit('notes-x', note(undefined, { timestamp: '2026-11-29T10:00:00.000Z', validAt: '+275760-09-13T00:00:00.000Z' }))],
  ]

  it.each(unstorable)('answers %s with that commit’s `rejected: invalid`; the commits around it are stored', async (_, bad) => {
    const answer = await push(db, alice, body(commit('before', note()), bad, commit('after', note())), { definitions })
    expect(answer.results).toEqual([
      { status: 'accepted', positions: [0], head: 1 },
      { status: 'rejected', reason: 'invalid', message: expect.any(String) },
      { status: 'accepted', positions: [0], head: 2 },
    ])
    const message = (answer.results[1] as { message: string }).message
    // The message names the problem and echoes none of the content.
    expect(isStorableText(message)).toBe(true)
    expect(message).toMatch(/NUL character or a lone surrogate|characters|metadata\.(timestamp|validAt)/)
    expect(await countEvents()).toBe(2)
    const streams = await db.query<{ stream: string }>('SELECT stream FROM streams ORDER BY stream')
    expect(streams.map((row) => row.stream)).toEqual(['after', 'before'])
  })

  it('blocks the later commits to a stream whose commit could not be stored', async () => {
    const answer = await push(db, alice, body(commit('notes', note({ text: NUL })), commit('notes', note())), { definitions })
    expect(answer.results.map((result) => result.status)).toEqual(['rejected', 'blocked'])
    expect(await countEvents()).toBe(0)
  })

  it.each([
    ['a NUL', `device${NUL}`],
    ['a lone surrogate', `device${LONE_HIGH}`],
    ['201 characters', 'd'.repeat(201)],
  ])('refuses a clientId with %s as a malformed push (400 invalid), storing nothing', async (_, clientId) => {
    await expect(push(db, alice, { clientId, commits: [commit('notes', note())] }, { definitions })).rejects.toMatchObject({
      name: 'ProtocolError',
      code: 'invalid',
      status: 400,
      message: expect.stringContaining('clientId'),
    })
    expect(await countEvents()).toBe(0)
  })

  it('stores any instant of years 0001–9999 as the client gave it, and its own recordedAt as the time of record', async () => {
    const recordedAt = new Date('2026-11-30T12:00:00.000Z')
    const dates = ['0001-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z', '2026-11-29T19:00:00+09:00']
    const events = dates.map((timestamp) => note(undefined, { timestamp, validAt: timestamp }))
    const answer = await push(db, alice, body(commit('dates', ...events)), { definitions, now: () => recordedAt })
    expect(answer.results).toEqual([{ status: 'accepted', positions: [0, 1, 2], head: 3 }])
    const pulled = await pull(db, alice, { after: 0 })
    expect(pulled.events.map((event) => [event.metadata.timestamp, event.metadata.validAt, event.metadata.recordedAt])).toEqual(
      dates.map((date) => [date, date, recordedAt.toISOString()]),
    )
    const [row] = await db.query<{ recorded: string }>("SELECT min(recorded_at) = max(recorded_at) AND min(recorded_at) = '2026-11-30T12:00:00Z'::timestamptz AS recorded FROM events")
    expect(row!.recorded).toBe(true)
  })

  it('takes a stream name of 256 characters, however many bytes they are', async () => {
    const answer = await push(db, alice, body(commit('日'.repeat(256), note())), { definitions })
    expect(answer.results).toEqual([{ status: 'accepted', positions: [0], head: 1 }])
  })

  it('takes text PostgreSQL holds: other control characters, surrogate pairs, and an escaped \\u0000', async () => {
    const data = { text: '\u0001\t\n😀', literal: '\\u0000', [`key😀`]: 'ü' }
    const answer = await push(db, alice, body(commit('text', note(data))), { definitions })
    expect(answer.results[0]).toMatchObject({ status: 'accepted' })
    expect((await pull(db, alice, {})).events[0]!.data).toEqual(data)
  })
})
