import { describe, expect, it } from 'vitest'
import {
  AfterCommitDispatcher,
  DispatchLog,
  InstrumentedDispatcher,
  SyncDispatcher,
  afterCommit,
  defaultComposedDispatcher,
  dispatchedAs,
  immediate,
  kindOf,
  type HandlerRun,
  type RecordedEvent,
} from '../../../src/eventstore'
import { Noted, notes } from '../../support/events'
import { failure } from '../../support/failure'
import { openTestStore } from '../../support/stores'

/** A clock that moves 5 ms each time it is read, so durations are known without timing anything. */
const ticking = () => {
  let t = 0
  return () => (t += 5)
}

/** A DispatchLog that resolves `until` once it holds `count` runs. */
function logUntil(count: number) {
  const log = new DispatchLog()
  let resolve!: (runs: HandlerRun[]) => void
  const until = new Promise<HandlerRun[]>((r) => (resolve = r))
  log.subscribe(() => {
    if (log.all().length >= count) resolve(log.all())
  })
  return { log, until }
}

const instrumented = (log: DispatchLog) =>
  new InstrumentedDispatcher(defaultComposedDispatcher(new SyncDispatcher()), log, { now: ticking(), clock: () => new Date('2024-05-01T10:00:00Z') })

describe('InstrumentedDispatcher', () => {
  it('reports each sync handler’s run with its event, name, kind, start and duration', async () => {
    const { log } = logUntil(1)
    const store = await openTestStore({ dispatcher: instrumented(log) })
    const seen: string[] = []
    store.subscribe(function audit(e) {
      seen.push(e.eventId)
    }, { to: [Noted] })
    await store.publish(notes(1))
    expect(seen).toEqual(['e1'])
    expect(log.runsOf('e1')).toEqual([
      { eventId: 'e1', eventType: 'Test.Noted', handler: 'audit', kind: 'sync', startedAt: new Date('2024-05-01T10:00:00Z'), duration: 5 },
    ])
  })

  it('times deferred handlers when they really run, and keeps their routing through a composed dispatcher', async () => {
    const { log, until } = logUntil(3)
    const store = await openTestStore({ dispatcher: instrumented(log) })
    let afterRanBeforePublishResolved: boolean | undefined
    let published = false
    store.subscribe(afterCommit(function mailer() {
      afterRanBeforePublishResolved = !published
    }), { to: [Noted] })
    store.subscribe(immediate(function warmCache() {}), { to: [Noted] })
    store.subscribe(function projector() {}, { to: [Noted] })
    await store.publish(notes(1))
    published = true
    const runs = await until
    expect(afterRanBeforePublishResolved).toBe(false)
    expect(runs.map((r) => [r.handler, r.kind]).sort()).toEqual([
      ['mailer', 'after-commit'],
      ['projector', 'sync'],
      ['warmCache', 'immediate'],
    ])
  })

  it('reports a failing sync handler and still fails publish with its error', async () => {
    const { log } = logUntil(1)
    const store = await openTestStore({ dispatcher: instrumented(log) })
    store.subscribe(function broken() {
      throw new TypeError('no stock table')
    }, { to: [Noted] })
    const error = await failure(() => store.publish(notes(1)))
    expect(error).toBeInstanceOf(TypeError)
    expect(log.runsOf('e1')[0]).toMatchObject({ handler: 'broken', kind: 'sync', error: { name: 'TypeError', message: 'no stock table' } })
  })

  it('reports an async after-commit handler’s rejection and still hands it to onError', async () => {
    const { log, until } = logUntil(1)
    let onError!: (error: unknown) => void
    const reported = new Promise<unknown>((resolve) => (onError = resolve))
    const store = await openTestStore({ dispatcher: instrumented(log), onError })
    store.subscribe(afterCommit(async function sendMail() {
      await Promise.resolve()
      throw new Error('smtp down')
    }), { to: [Noted] })
    await store.publish(notes(1))
    const [run] = await until
    expect(run).toMatchObject({ eventId: 'e1', handler: 'sendMail', kind: 'after-commit', error: { message: 'smtp down' } })
    expect(run?.duration).toBeGreaterThan(0)
    expect(((await reported) as Error).message).toBe('smtp down')
  })

  it('lets the inner dispatcher decide what it accepts', () => {
    const dispatcher = new InstrumentedDispatcher(new AfterCommitDispatcher(), new DispatchLog())
    expect(dispatcher.accepts(afterCommit(() => undefined))).toBe(true)
    expect(dispatcher.accepts(() => undefined)).toBe(false)
  })

  it('names a handler through nameOf when given', async () => {
    const log = new DispatchLog()
    const dispatcher = new InstrumentedDispatcher(new SyncDispatcher(), log, { nameOf: () => 'stock projection' })
    const store = await openTestStore({ dispatcher })
    store.subscribe(() => undefined, { to: [Noted] })
    await store.publish(notes(1))
    expect(log.runsOf('e1').map((r) => r.handler)).toEqual(['stock projection'])
  })
})

describe('dispatchedAs', () => {
  it('marks a wrapper with a dispatch kind', () => {
    const wrapped = dispatchedAs((_e: RecordedEvent) => undefined, 'immediate')
    expect(kindOf(wrapped)).toBe('immediate')
  })
})

describe('DispatchLog', () => {
  const run = (eventId: string, handler = 'h'): HandlerRun => ({ eventId, eventType: 'T', handler, kind: 'sync', startedAt: new Date(0), duration: 1 })

  it('keeps runs by event, notifies subscribers and moves its snapshot', () => {
    const log = new DispatchLog()
    let calls = 0
    const off = log.subscribe(() => void (calls += 1))
    const before = log.getSnapshot()
    const empty = log.runsOf('a')
    log.record(run('a', 'one'))
    log.record(run('a', 'two'))
    off()
    log.record(run('b'))
    expect(calls).toBe(2)
    expect(log.getSnapshot()).not.toBe(before)
    expect(empty).toEqual([])
    expect(log.runsOf('a').map((r) => r.handler)).toEqual(['one', 'two'])
  })

  it('drops the oldest events’ runs past its capacity', () => {
    const log = new DispatchLog(3)
    for (const id of ['a', 'b', 'c', 'd']) log.record(run(id))
    expect(log.runsOf('a')).toEqual([])
    expect(log.all().map((r) => r.eventId)).toEqual(['b', 'c', 'd'])
    log.clear()
    expect(log.all()).toEqual([])
  })
})
