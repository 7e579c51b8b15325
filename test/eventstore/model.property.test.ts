// Model-based property tests: random sequences of store calls run against the real store and a
// tiny in-memory model of what it should hold; after every step the two must agree.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  EventDuplicatedInStreamError,
  EventNotFoundError,
  WrongExpectedVersionError,
  type EventStore,
  type ExpectedVersion,
  type NewEvent,
} from '../../src/eventstore'
import { openTestStore, uniqueName } from '../support/stores'

/** Sized to finish in seconds on 2 cores; the seed is printed on failure to replay it. */
export const PROPERTY_RUNS = { sequences: 100, maxCommands: 40, concurrentRuns: 40 }

const STREAMS = ['a', 'b', 'c'] as const
const TYPES = ['T.One', 'T.Two'] as const

interface Model {
  log: Array<{ eventId: string; type: string }>
  streams: Map<string, string[]>
  nextId: number
}

interface Real {
  store: EventStore
}

const version = (m: Model, stream: string) => (m.streams.get(stream)?.length ?? 0) - 1

type VersionChoice = 'any' | 'none' | 'auto' | 'right' | 'behind' | 'ahead'
const resolve = (choice: VersionChoice, current: number): ExpectedVersion =>
  choice === 'right' ? current : choice === 'behind' ? current - 1 : choice === 'ahead' ? current + 2 : choice

function accepts(expected: ExpectedVersion, current: number): boolean {
  if (expected === 'none') return current === -1
  if (typeof expected === 'number') return expected === current
  return true
}

async function failureOf(call: () => Promise<unknown>): Promise<unknown> {
  try {
    await call()
    return undefined
  } catch (error) {
    return error
  }
}

class Append implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly stream: string | null,
    readonly count: number,
    readonly type: string,
    readonly choice: VersionChoice,
    readonly duplicate: boolean,
  ) {}
  check = () => true
  async run(m: Model, r: Real) {
    const current = this.stream === null ? -1 : version(m, this.stream)
    const expected = this.stream === null ? 'any' : resolve(this.choice, current)
    const ids = Array.from({ length: this.count }, (_, i) => `ev-${m.nextId + i}`)
    // Sometimes the batch's last event reuses an id already stored.
    if (this.duplicate && m.log.length > 0) ids[ids.length - 1] = m.log[m.nextId % m.log.length]!.eventId
    const events: NewEvent[] = ids.map((eventId) => ({ eventId, type: this.type, data: { n: eventId }, metadata: {} }))
    const options = this.stream === null ? {} : { stream: this.stream, expectedVersion: expected }
    const error = await failureOf(() => r.store.append(events, options))
    m.nextId += this.count
    const duplicated = this.duplicate && m.log.length > 0
    if (expected === -2 || (typeof expected === 'number' && expected < -1)) {
      expect(error).toBeDefined() // an invalid version (behind an empty stream) is refused too
      return
    }
    if (!accepts(expected, current)) {
      expect(error).toBeInstanceOf(WrongExpectedVersionError)
      return
    }
    if (duplicated) {
      expect(error).toBeInstanceOf(EventDuplicatedInStreamError)
      return
    }
    expect(error).toBeUndefined()
    m.log.push(...ids.map((eventId) => ({ eventId, type: this.type })))
    if (this.stream !== null) m.streams.set(this.stream, [...(m.streams.get(this.stream) ?? []), ...ids])
  }
  toString = () => `append(${this.count} ${this.type} → ${this.stream ?? 'log'}, ${this.choice}${this.duplicate ? ', dup' : ''})`
}

class Link implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly pick: number,
    readonly stream: string,
    readonly choice: VersionChoice,
    readonly unknown: boolean,
  ) {}
  check = (m: Readonly<Model>) => m.log.length > 0
  async run(m: Model, r: Real) {
    const eventId = this.unknown ? 'never-stored' : m.log[this.pick % m.log.length]!.eventId
    const current = version(m, this.stream)
    const expected = resolve(this.choice, current)
    const error = await failureOf(() => r.store.link([eventId], { stream: this.stream, expectedVersion: expected }))
    if (typeof expected === 'number' && expected < -1) return void expect(error).toBeDefined()
    if (this.unknown) return void expect(error).toBeInstanceOf(EventNotFoundError)
    if ((m.streams.get(this.stream) ?? []).includes(eventId)) return void expect(error).toBeInstanceOf(EventDuplicatedInStreamError)
    if (!accepts(expected, current)) return void expect(error).toBeInstanceOf(WrongExpectedVersionError)
    expect(error).toBeUndefined()
    m.streams.set(this.stream, [...(m.streams.get(this.stream) ?? []), eventId])
  }
  toString = () => `link(#${this.pick}${this.unknown ? ' unknown' : ''} → ${this.stream}, ${this.choice})`
}

class Delete implements fc.AsyncCommand<Model, Real> {
  constructor(readonly stream: string) {}
  check = () => true
  async run(m: Model, r: Real) {
    await r.store.deleteStream(this.stream)
    m.streams.delete(this.stream)
  }
  toString = () => `delete(${this.stream})`
}

class Read implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly stream: string | null,
    readonly backward: boolean,
    readonly limit: number | null,
    readonly type: string | null,
  ) {}
  check = () => true
  async run(m: Model, r: Real) {
    let query = this.stream === null ? r.store.read : r.store.read.stream(this.stream)
    if (this.type) query = query.ofType([this.type])
    if (this.backward) query = query.backward()
    if (this.limit) query = query.limit(this.limit)
    const typeOf = new Map(m.log.map((e) => [e.eventId, e.type]))
    let expected = this.stream === null ? m.log.map((e) => e.eventId) : [...(m.streams.get(this.stream) ?? [])]
    if (this.type) expected = expected.filter((id) => typeOf.get(id) === this.type)
    if (this.backward) expected.reverse()
    if (this.limit) expected = expected.slice(0, this.limit)
    expect((await query.toArray()).map((e) => e.eventId)).toEqual(expected)
    expect(await query.count()).toBe(expected.length)
  }
  toString = () => `read(${this.stream ?? 'log'}${this.type ? ` ${this.type}` : ''}${this.backward ? ' backward' : ''}${this.limit ? ` limit ${this.limit}` : ''})`
}

/** The invariants, checked after every command. */
async function invariants(m: Model, r: Real) {
  const log = await r.store.read.toArray()
  expect(log.map((e) => e.eventId)).toEqual(m.log.map((e) => e.eventId))
  const positions = log.map((e) => e.globalPosition)
  expect(positions.every((p, i) => i === 0 || p > positions[i - 1]!)).toBe(true)
  expect(new Set(log.map((e) => e.eventId)).size).toBe(log.length)
  for (const stream of STREAMS) {
    const ids = m.streams.get(stream) ?? []
    expect(await r.store.streamVersion(stream)).toBe(ids.length - 1)
    const read = await r.store.read.stream(stream).toArray()
    expect(read.map((e) => e.eventId)).toEqual(ids)
    for (const [i, id] of ids.entries()) expect(await r.store.positionInStream(id, stream)).toBe(i)
  }
}

const withInvariants = <C extends fc.AsyncCommand<Model, Real>>(command: C): fc.AsyncCommand<Model, Real> => ({
  check: (m) => command.check(m),
  run: async (m, r) => {
    await command.run(m, r)
    await invariants(m, r)
  },
  toString: () => command.toString(),
})

const stream = fc.constantFrom(...STREAMS)
const choice = fc.constantFrom<VersionChoice>('any', 'none', 'auto', 'right', 'right', 'behind', 'ahead')
const commands = fc.commands(
  [
    fc.tuple(fc.option(stream, { freq: 4 }), fc.integer({ min: 1, max: 4 }), fc.constantFrom(...TYPES), choice, fc.boolean())
      .map(([s, n, t, c, d]) => withInvariants(new Append(s, n, t, c, d))),
    fc.tuple(fc.nat(), stream, choice, fc.boolean()).map(([p, s, c, u]) => withInvariants(new Link(p, s, c, u))),
    stream.map((s) => withInvariants(new Delete(s))),
    fc.tuple(fc.option(stream), fc.boolean(), fc.option(fc.integer({ min: 1, max: 6 })), fc.option(fc.constantFrom(...TYPES)))
      .map(([s, b, l, t]) => withInvariants(new Read(s, b, l, t))),
  ],
  { maxCommands: PROPERTY_RUNS.maxCommands },
)

describe('the store against a model', () => {
  it('agrees with the model after every step of random appends, links, deletes and reads', async () => {
    let steps = 0
    await fc.assert(
      fc.asyncProperty(commands, async (cmds) => {
        steps += [...cmds].length
        const store = await openTestStore()
        try {
          await fc.asyncModelRun(() => ({ model: { log: [], streams: new Map(), nextId: 0 }, real: { store } }), cmds)
        } finally {
          store.close()
        }
      }),
      { numRuns: PROPERTY_RUNS.sequences },
    )
    // The runs did real work: fast-check's shrinking aside, this many commands ran.
    expect(steps).toBeGreaterThan(PROPERTY_RUNS.sequences)
  }, 120_000)

  it('keeps every stream gap-free and loses no accepted batch when connections interleave at random', async () => {
    const batch = fc.record({
      connection: fc.integer({ min: 0, max: 2 }),
      stream: stream,
      size: fc.integer({ min: 1, max: 3 }),
      exact: fc.boolean(),
    })
    await fc.assert(
      fc.asyncProperty(fc.array(batch, { minLength: 2, maxLength: 12 }), async (batches) => {
        const name = uniqueName('kiroku-interleave')
        const stores = [await openTestStore({ name }), await openTestStore({ name }), await openTestStore({ name })]
        const results = await Promise.allSettled(
          batches.map(async (b, i) => {
            const store = stores[b.connection]!
            const ids = Array.from({ length: b.size }, (_, j) => `b${i}-${j}`)
            // An exact version read first, then appended with: racy on purpose.
            const expectedVersion = b.exact ? await store.streamVersion(b.stream) : 'auto'
            await store.append(ids.map((eventId) => ({ eventId, type: 'T.One', data: {}, metadata: {} })), { stream: b.stream, expectedVersion })
            return { stream: b.stream, ids }
          }),
        )
        const accepted = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []))
        for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(WrongExpectedVersionError)
        const reader = stores[0]!
        const log = (await reader.read.toArray()).map((e) => e.eventId)
        expect(new Set(log)).toEqual(new Set(accepted.flatMap((a) => a.ids)))
        for (const s of STREAMS) {
          const ids = (await reader.read.stream(s).toArray()).map((e) => e.eventId)
          expect(await reader.streamVersion(s)).toBe(ids.length - 1)
          for (const a of accepted.filter((x) => x.stream === s)) {
            const at = ids.indexOf(a.ids[0]!)
            expect(ids.slice(at, at + a.ids.length)).toEqual(a.ids) // each batch contiguous, in order
          }
        }
        for (const store of stores) store.close()
      }),
      { numRuns: PROPERTY_RUNS.concurrentRuns },
    )
  }, 120_000)
})
