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
  type ReadQuery,
} from '../../../src/eventstore'
import { openTestStore, uniqueName } from '../../support/stores'

/**
 * Sized to finish in seconds on 2 cores; the seed is printed on failure to replay it. Fewer but
 * longer sequences ('medium' size) than fast-check's default: the cases worth reaching (reads
 * bounded inside a long stream, a rollback after earlier writes) need some history first.
 */
export const PROPERTY_RUNS = { sequences: 50, maxCommands: 40, concurrentRuns: 40 }

/** How often each case worth reaching came up, so a generator that stops reaching one fails the test. */
const reached = new Map<string, number>()
const reach = (what: string) => void reached.set(what, (reached.get(what) ?? 0) + 1)

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

/** What a call must do per the model: succeed, fail with this class, or fail somehow ('invalid'). */
type Expected = undefined | 'invalid' | (abstract new (...args: never[]) => Error)

function expectOutcome(error: unknown, expected: Expected): void {
  if (expected === undefined) expect(error).toBeUndefined()
  else if (expected === 'invalid') expect(error).toBeDefined() // an invalid version (behind an empty stream) is refused too
  else expect(error).toBeInstanceOf(expected)
}

/** One write, planned against the model as it stands: its expected outcome, the call, and its effect. */
interface Step {
  readonly expected: Expected
  call(store: EventStore): Promise<unknown>
  /** The model after the call; run only when it succeeded. */
  apply(): void
}

/** A write that runs on its own or as one step of a transaction. */
interface WriteOp {
  check(m: Readonly<Model>): boolean
  plan(m: Model): Step
  toString(): string
}

const copyModel = (m: Model): Model => ({ log: [...m.log], streams: new Map([...m.streams].map(([s, ids]) => [s, [...ids]])), nextId: m.nextId })

class AppendOp implements WriteOp {
  constructor(
    readonly stream: string | null,
    readonly count: number,
    readonly type: string,
    readonly choice: VersionChoice,
    readonly duplicate: boolean,
  ) {}
  check = () => true
  plan(m: Model): Step {
    const current = this.stream === null ? -1 : version(m, this.stream)
    const expectedVersion = this.stream === null ? 'any' : resolve(this.choice, current)
    const ids = Array.from({ length: this.count }, (_, i) => `ev-${m.nextId + i}`)
    // Sometimes the batch's last event reuses an id already stored.
    const duplicated = this.duplicate && m.log.length > 0
    if (duplicated) ids[ids.length - 1] = m.log[m.nextId % m.log.length]!.eventId
    m.nextId += this.count
    const events: NewEvent[] = ids.map((eventId) => ({ eventId, type: this.type, data: { n: eventId }, metadata: {} }))
    const options = this.stream === null ? {} : { stream: this.stream, expectedVersion }
    const expected: Expected =
      typeof expectedVersion === 'number' && expectedVersion < -1
        ? 'invalid'
        : !accepts(expectedVersion, current)
          ? WrongExpectedVersionError
          : duplicated
            ? EventDuplicatedInStreamError
            : undefined
    return {
      expected,
      call: (store) => store.append(events, options),
      apply: () => {
        m.log.push(...ids.map((eventId) => ({ eventId, type: this.type })))
        if (this.stream !== null) m.streams.set(this.stream, [...(m.streams.get(this.stream) ?? []), ...ids])
      },
    }
  }
  toString = () => `append(${this.count} ${this.type} → ${this.stream ?? 'log'}, ${this.choice}${this.duplicate ? ', dup' : ''})`
}

class LinkOp implements WriteOp {
  constructor(
    /** The events to link, in order (1–3): indexes, mod their count, into the events not in the stream yet. */
    readonly picks: readonly number[],
    readonly stream: string,
    readonly choice: VersionChoice,
    /** Which of them is replaced by an id never stored, if any. */
    readonly unknownAt: number | null,
    /** Which of them is replaced by an event already in the stream, if any. */
    readonly memberAt: number | null = null,
  ) {}
  check = (m: Readonly<Model>) => m.log.length > 0
  plan(m: Model): Step {
    const members = m.streams.get(this.stream) ?? []
    const outside = m.log.map((e) => e.eventId).filter((id) => !members.includes(id))
    const candidates = outside.length ? outside : m.log.map((e) => e.eventId)
    const ids = this.picks.map((pick) => candidates[pick % candidates.length]!)
    if (this.memberAt !== null && members.length) ids[this.memberAt % ids.length] = members[this.memberAt % members.length]!
    if (this.unknownAt !== null) ids[this.unknownAt % ids.length] = 'never-stored'
    const current = version(m, this.stream)
    const expectedVersion = resolve(this.choice, current)
    // The store's order of checks: the version's form, ids repeated in the call, then id by id, then the version.
    const bad = ids.find((id) => id === 'never-stored' || members.includes(id))
    const expected: Expected =
      typeof expectedVersion === 'number' && expectedVersion < -1
        ? 'invalid'
        : new Set(ids).size < ids.length
          ? EventDuplicatedInStreamError
          : bad === 'never-stored'
            ? EventNotFoundError
            : bad !== undefined
              ? EventDuplicatedInStreamError
              : !accepts(expectedVersion, current)
                ? WrongExpectedVersionError
                : undefined
    return {
      expected,
      call: (store) => store.link(ids, { stream: this.stream, expectedVersion }),
      apply: () => void m.streams.set(this.stream, [...members, ...ids]),
    }
  }
  toString = () =>
    `link(#${this.picks.join(',#')}${this.unknownAt === null ? '' : ` unknown@${this.unknownAt}`}${this.memberAt === null ? '' : ` member@${this.memberAt}`} → ${this.stream}, ${this.choice})`
}

class DeleteOp implements WriteOp {
  constructor(readonly stream: string) {}
  check = () => true
  plan(m: Model): Step {
    return { expected: undefined, call: (store) => store.deleteStream(this.stream), apply: () => void m.streams.delete(this.stream) }
  }
  toString = () => `delete(${this.stream})`
}

/** A write on its own: it does what the model says, or fails as the model says and changes nothing. */
class Write implements fc.AsyncCommand<Model, Real> {
  constructor(readonly op: WriteOp) {}
  check = (m: Readonly<Model>) => this.op.check(m)
  async run(m: Model, r: Real) {
    const step = this.op.plan(m)
    const error = await failureOf(() => step.call(r.store))
    expectOutcome(error, step.expected)
    if (error === undefined) step.apply()
    if (error === undefined && this.op instanceof LinkOp && this.op.picks.length > 1) reach('a link of several events')
  }
  toString = () => this.op.toString()
}

/** A write that always fails in storage: an expected version two ahead of the stream's. */
const FAILING_WRITE = new AppendOp('a', 1, 'T.One', 'ahead', false)

/**
 * Several writes in one `store.transaction`: each sees the ones before it (reads inside included);
 * the first that fails fails the transaction with its error and none of them stays. `throw` ends a
 * successful run with the app's own error; `fail` adds a write that fails; `swallow` adds it too
 * but catches the failure and returns normally: any failed write — refused by its argument checks
 * (an invalid version, an id twice in one call) or in storage (a wrong version, a duplicate, an
 * unknown id) — still rolls back what came before it.
 */
class Transaction implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly ops: readonly WriteOp[],
    readonly ending: 'commit' | 'throw' | 'fail' | 'swallow',
  ) {}
  check = () => true
  async run(m: Model, r: Real) {
    const work = copyModel(m)
    const seen: Array<{ error: unknown; expected: Expected; versions?: Array<[number, number]> }> = []
    let failed: unknown
    const appError = new Error('the app changed its mind')
    const error = await failureOf(() =>
      r.store.transaction(async (tx) => {
        for (const op of this.ending === 'fail' || this.ending === 'swallow' ? [...this.ops, FAILING_WRITE] : this.ops) {
          if (!op.check(work)) continue
          const step = op.plan(work)
          const stepError = await failureOf(() => step.call(tx))
          seen.push({ error: stepError, expected: step.expected })
          if (stepError !== undefined) {
            failed = stepError
            if (this.ending === 'swallow') return
            throw stepError
          }
          step.apply()
          // Reads inside see the transaction's own writes.
          const versions = await Promise.all(STREAMS.map(async (s): Promise<[number, number]> => [await tx.streamVersion(s), version(work, s)]))
          seen.at(-1)!.versions = versions
        }
        if (this.ending === 'throw') throw appError
      }),
    )
    m.nextId = work.nextId
    for (const { error: stepError, expected, versions = [] } of seen) {
      expectOutcome(stepError, expected)
      for (const [actual, wanted] of versions) expect(actual).toBe(wanted)
    }
    const written = seen.filter((step) => step.error === undefined).length
    if (failed !== undefined) {
      if (this.ending === 'swallow') expect(error).toBeDefined()
      else expect(error).toBe(failed)
      if (written > 0) reach(this.ending === 'swallow' ? 'a caught failure rolling back earlier writes' : 'a failure rolling back earlier writes')
      return
    }
    if (this.ending === 'throw' && failed === undefined) {
      if (written > 0) reach("the app's error rolling back writes")
      return void expect(error).toBe(appError)
    }
    expect(error).toBeUndefined()
    if (written > 1) reach('a transaction committing several writes')
    m.log = work.log
    m.streams = work.streams
  }
  toString = () => `transaction[${this.ops.map(String).join('; ')}] ${this.ending}`
}

/** A from/to bound: an event of the sequence read (its index, mod the length), or one outside it. */
interface Pick {
  at: number
  outside: boolean
}

interface ReadOptions {
  stream: string | null
  backward: boolean
  limit: number | null
  type: string | null
  from: Pick | null
  to: Pick | null
  /** With both bounds, put them so the range runs in the read's direction (else as picked: often empty). */
  ordered: boolean
  /** withIds: events of the sequence (indexes, mod its length), maybe one stored outside it, maybe one never stored. */
  ids: { picks: number[]; outsider: boolean; unknown: boolean } | null
  how: 'toArray' | 'first' | 'last' | 'inBatches'
  batchSize: number
}

class Read implements fc.AsyncCommand<Model, Real> {
  constructor(readonly o: ReadOptions) {}
  check = () => true
  async run(m: Model, r: Real) {
    const o = this.o
    const sequence = o.stream === null ? m.log.map((e) => e.eventId) : [...(m.streams.get(o.stream) ?? [])]
    const outsiders = [...m.log.map((e) => e.eventId).filter((id) => !sequence.includes(id)), 'never-stored']
    const idOf = (pick: Pick | null): string | null => {
      if (pick === null) return null
      if (pick.outside) return outsiders[pick.at % outsiders.length]!
      return sequence.length ? sequence[pick.at % sequence.length]! : null
    }
    let fromId = idOf(o.from)
    let toId = idOf(o.to)
    if (o.ordered && fromId !== null && toId !== null && sequence.includes(fromId) && sequence.includes(toId)) {
      const [early, late] = [fromId, toId].sort((a, b) => sequence.indexOf(a) - sequence.indexOf(b)) as [string, string]
      ;[fromId, toId] = o.backward ? [late, early] : [early, late]
    }
    const withIds = o.ids && [
      ...(sequence.length ? o.ids.picks.map((p) => sequence[p % sequence.length]!) : []),
      ...(o.ids.outsider ? [outsiders[0]!] : []),
      ...(o.ids.unknown ? ['never-stored'] : []),
    ]

    let query = o.stream === null ? r.store.read : r.store.read.stream(o.stream)
    if (o.type) query = query.ofType([o.type])
    if (o.backward) query = query.backward()
    if (o.limit) query = query.limit(o.limit)
    if (fromId !== null) query = query.from(fromId)
    if (toId !== null) query = query.to(toId)
    if (withIds) query = query.withIds(withIds)

    if ((fromId !== null && !sequence.includes(fromId)) || (toId !== null && !sequence.includes(toId))) {
      expect(await failureOf(() => this.result(query))).toBeInstanceOf(EventNotFoundError)
      reach('a from/to outside the sequence read')
      return
    }
    // from and to are exclusive and follow the direction: backward, from is the newer end.
    const at = (id: string | null) => (id === null ? null : sequence.indexOf(id))
    const [lo, hi] = o.backward ? [at(toId), at(fromId)] : [at(fromId), at(toId)]
    const typeOf = new Map(m.log.map((e) => [e.eventId, e.type]))
    let expected = sequence.filter(
      (id, i) => (lo === null || i > lo) && (hi === null || i < hi) && (!withIds || withIds.includes(id)) && (!o.type || typeOf.get(id) === o.type),
    )
    if (o.backward) expected.reverse()
    if (o.limit) expected = expected.slice(0, o.limit)
    if ((fromId !== null || toId !== null) && expected.length > 0) reach('a from/to read with events')
    if (withIds && expected.length > 0) reach('a withIds read with events')
    if (o.how === 'first') return void expect((await query.first())?.eventId).toBe(expected[0])
    if (o.how === 'last') return void expect((await query.last())?.eventId).toBe(expected.at(-1))
    if (o.how === 'inBatches') {
      const batches: string[][] = []
      for await (const batch of query.inBatches(o.batchSize)) batches.push(batch.map((e) => e.eventId))
      expect(batches.flat()).toEqual(expected)
      // Every batch full but the last, none empty.
      for (const [i, batch] of batches.entries()) expect(batch.length === o.batchSize || (i === batches.length - 1 && batch.length > 0)).toBe(true)
      if (batches.length > 1) reach('a read in several batches')
      return
    }
    expect((await query.toArray()).map((e) => e.eventId)).toEqual(expected)
    expect(await query.count()).toBe(expected.length)
  }
  private async result(query: ReadQuery): Promise<unknown> {
    if (this.o.how === 'first') return query.first()
    if (this.o.how === 'last') return query.last()
    if (this.o.how === 'inBatches') {
      for await (const batch of query.inBatches(this.o.batchSize)) void batch
      return undefined
    }
    await query.count()
    return query.toArray()
  }
  toString = () => {
    const o = this.o
    const pick = (name: string, p: Pick | null) => (p ? ` ${name} #${p.at}${p.outside ? ' outside' : ''}` : '')
    const ids = o.ids ? ` withIds #${o.ids.picks.join(',#')}${o.ids.outsider ? ' +outsider' : ''}${o.ids.unknown ? ' +unknown' : ''}` : ''
    return (
      `read(${o.stream ?? 'log'}${o.type ? ` ${o.type}` : ''}${o.backward ? ' backward' : ''}${o.limit ? ` limit ${o.limit}` : ''}` +
      `${pick('from', o.from)}${pick('to', o.to)}${o.from && o.to && o.ordered ? ' ordered' : ''}${ids} ${o.how}${o.how === 'inBatches' ? ` of ${o.batchSize}` : ''})`
    )
  }
}

/** The invariants, checked after every command. */
async function invariants(m: Model, r: Real) {
  // Every read in flight at once: the same checks, without waiting a round trip for each.
  const streams = Promise.all(
    STREAMS.map(async (stream) => {
      const ids = m.streams.get(stream) ?? []
      const [version, read, positions] = await Promise.all([
        r.store.streamVersion(stream),
        r.store.read.stream(stream).toArray(),
        Promise.all(ids.map((id) => r.store.positionInStream(id, stream))),
      ])
      return { ids, version, read, positions }
    }),
  )
  const log = await r.store.read.toArray()
  expect(log.map((e) => e.eventId)).toEqual(m.log.map((e) => e.eventId))
  const positions = log.map((e) => e.globalPosition)
  expect(positions.every((p, i) => i === 0 || p > positions[i - 1]!)).toBe(true)
  expect(new Set(log.map((e) => e.eventId)).size).toBe(log.length)
  for (const { ids, version, read, positions } of await streams) {
    expect(version).toBe(ids.length - 1)
    expect(read.map((e) => e.eventId)).toEqual(ids)
    for (const [i] of ids.entries()) expect(positions[i]).toBe(i)
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
/** True about once in `n` draws. */
const sometimes = (n: number) => fc.nat({ max: n - 1 }).map((k) => k === 0)
/** `arbitrary` about once in `n` draws, else null. */
const rarely = <T>(n: number, arbitrary: fc.Arbitrary<T>) => fc.oneof({ arbitrary: fc.constant(null), weight: n - 1 }, { arbitrary, weight: 1 })
/** Mostly versions that hold, so that a transaction's writes often all succeed. */
const choiceInTransaction = fc.constantFrom<VersionChoice>('any', 'auto', 'right', 'right', 'right', 'right', 'none', 'behind', 'ahead')
const appendOp = (choices = choice) =>
  fc
    .tuple(fc.option(stream, { freq: 4 }), fc.integer({ min: 1, max: 4 }), fc.constantFrom(...TYPES), choices, sometimes(5))
    .map(([s, n, t, c, d]) => new AppendOp(s, n, t, c, d))
const linkOp = (choices = choice) =>
  fc
    .tuple(fc.array(fc.nat(), { minLength: 1, maxLength: 3 }), stream, choices, rarely(8, fc.nat({ max: 2 })), rarely(6, fc.nat()))
    .map(([p, s, c, u, a]) => new LinkOp(p, s, c, u, a))
const deleteOp = stream.map((s) => new DeleteOp(s))
const pick: fc.Arbitrary<Pick> = fc.record({ at: fc.nat(), outside: sometimes(8) })
const readOptions: fc.Arbitrary<ReadOptions> = fc.record({
  stream: fc.option(stream, { freq: 3 }),
  backward: fc.boolean(),
  limit: rarely(4, fc.integer({ min: 1, max: 6 })),
  type: rarely(4, fc.constantFrom(...TYPES)),
  from: rarely(2, pick),
  to: rarely(2, pick),
  ordered: fc.oneof({ arbitrary: fc.constant(true), weight: 4 }, { arbitrary: fc.constant(false), weight: 1 }),
  ids: rarely(2, fc.record({ picks: fc.array(fc.nat(), { minLength: 1, maxLength: 4 }), outsider: fc.boolean(), unknown: fc.boolean() })),
  how: fc.constantFrom('toArray', 'first', 'last', 'inBatches', 'inBatches', 'inBatches'),
  batchSize: fc.constantFrom(1, 1, 2),
})
const transaction = fc
  .tuple(
    fc.array(
      fc.oneof({ arbitrary: appendOp(choiceInTransaction), weight: 3 }, { arbitrary: linkOp(choiceInTransaction), weight: 2 }, { arbitrary: deleteOp, weight: 1 }),
      { minLength: 2, maxLength: 4 },
    ),
    fc.constantFrom<Transaction['ending']>('commit', 'commit', 'throw', 'throw', 'fail', 'swallow'),
  )
  .map(([ops, ending]) => new Transaction(ops, ending))
const commands = fc.commands(
  [
    appendOp().map((op) => withInvariants(new Write(op))),
    appendOp().map((op) => withInvariants(new Write(op))),
    linkOp().map((op) => withInvariants(new Write(op))),
    linkOp().map((op) => withInvariants(new Write(op))),
    deleteOp.map((op) => withInvariants(new Write(op))),
    transaction.map(withInvariants),
    transaction.map(withInvariants),
    // Reads check their own answer against the model; they change nothing, so no invariants after them.
    readOptions.map((o) => new Read(o)),
    readOptions.map((o) => new Read(o)),
    readOptions.map((o) => new Read(o)),
  ],
  { maxCommands: PROPERTY_RUNS.maxCommands, size: 'medium' },
)

describe('the store against a model', () => {
  it('agrees with the model after every step of random appends, links, deletes, transactions and reads', async () => {
    let steps = 0
    reached.clear()
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
    // The runs did real work: fast-check's shrinking aside, this many commands ran, reaching every case worth reaching.
    expect(steps).toBeGreaterThan(PROPERTY_RUNS.sequences)
    expect([...reached.keys()].sort()).toEqual([
      "the app's error rolling back writes",
      'a caught failure rolling back earlier writes',
      'a failure rolling back earlier writes',
      'a from/to outside the sequence read',
      'a from/to read with events',
      'a link of several events',
      'a read in several batches',
      'a transaction committing several writes',
      'a withIds read with events',
    ].sort())
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
