import { describe, expect, it, vi } from 'vitest'
import {
  ComposedDispatcher,
  ImmediateDispatcher,
  AfterCommitDispatcher,
  SyncDispatcher,
  afterCommit,
  defaultComposedDispatcher,
  immediate,
  type EventHandler,
  type RecordedEvent,
} from '../../../src/eventstore'
import { Counted, Noted, notes } from '../../support/events'
import { failure } from '../../support/failure'
import { openTestStore } from '../../support/stores'

/** A promise and the function that resolves it, for waiting on a handler without sleeping. */
function signal<T = void>() {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((r) => (resolve = r))
  return { promise, resolve }
}

const composed = () => defaultComposedDispatcher(new SyncDispatcher())

describe('dispatchers, as in the seed’s comparison table', () => {
  it('sync: runs inside publish, before it resolves', async () => {
    const store = await openTestStore({ dispatcher: composed() })
    const seen: string[] = []
    store.subscribe((e) => void seen.push(e.eventId), { to: [Noted] })
    await store.publish(notes(1))
    expect(seen).toEqual(['e1'])
  })

  it('after-commit: runs after publish resolves, outside the transaction', async () => {
    const store = await openTestStore({ dispatcher: composed() })
    const ran = signal<{ inTransaction: boolean; committed: boolean }>()
    const order: string[] = []
    store.subscribe(
      afterCommit(async (event, { inTransaction, store: scoped }) => {
        order.push('handler')
        ran.resolve({ inTransaction, committed: (await scoped.read.event(event.eventId)) !== undefined })
      }),
      { to: [Noted] },
    )
    await store.publish(notes(1))
    order.push('published')
    expect(await ran.promise).toEqual({ inTransaction: false, committed: true })
    expect(order).toEqual(['published', 'handler'])
  })

  it('after-commit: inside store.transaction, waits for the commit and sees the events stored', async () => {
    const store = await openTestStore({ dispatcher: composed() })
    const ran = signal<number>()
    const counts: number[] = []
    store.subscribe(
      afterCommit(async (e, { store: scoped }) => {
        counts.push(await scoped.read.count())
        if (e.eventId === 'x1') ran.resolve(counts.length)
      }),
      { to: [Noted] },
    )
    let handlerRanBeforeCommit = false
    await store.transaction(async (tx) => {
      await tx.publish(notes(2))
      await tx.publish(notes(1, 'x'))
      handlerRanBeforeCommit = (await Promise.race([ran.promise, Promise.resolve('not yet')])) !== 'not yet'
    })
    expect(handlerRanBeforeCommit).toBe(false)
    expect(await ran.promise).toBe(3)
    expect(counts).toEqual([3, 3, 3])
  })

  it('after-commit: never runs for a transaction that aborted', async () => {
    const store = await openTestStore({ dispatcher: composed() })
    const seen: string[] = []
    const later = signal()
    store.subscribe(afterCommit((e) => void seen.push(e.eventId)), { to: [Noted] })
    store.subscribe(afterCommit(() => later.resolve()), { to: [Counted] })
    await failure(() =>
      store.transaction(async (tx) => {
        await tx.publish(notes(1, 'aborted'))
        throw new Error('abort')
      }),
    )
    // A later committed transaction's after-commit work runs; the aborted one's never did.
    await store.transaction((tx) => tx.publish([Counted({ n: 1 })]))
    await later.promise
    expect(seen).toEqual([])
    expect(await store.read.count()).toBe(1)
  })

  it('immediate: runs at publish time, before the commit, even for a transaction that aborts', async () => {
    const store = await openTestStore({ dispatcher: composed() })
    const ran = signal<string>()
    store.subscribe(immediate((e) => ran.resolve(e.eventId)), { to: [Noted] })
    let seenInside: string | undefined
    await failure(() =>
      store.transaction(async (tx) => {
        await tx.publish(notes(1, 'doomed'))
        seenInside = await ran.promise
        throw new Error('abort')
      }),
    )
    expect(seenInside).toBe('doomed1')
    expect(await store.read.count()).toBe(0)
  })

  it('composed: hands each handler to the first dispatcher that accepts it', async () => {
    const dispatcher = new ComposedDispatcher(new AfterCommitDispatcher(), new ImmediateDispatcher(), new SyncDispatcher())
    const plain: EventHandler = () => undefined
    expect(dispatcher.accepts(afterCommit(plain))).toBe(true)
    expect(new AfterCommitDispatcher().accepts(plain)).toBe(false)
    expect(new AfterCommitDispatcher().accepts(afterCommit(plain))).toBe(true)
    expect(new ImmediateDispatcher().accepts(immediate(plain))).toBe(true)
    expect(new ImmediateDispatcher().accepts(afterCommit(plain))).toBe(false)
    const store = await openTestStore({ dispatcher })
    const order: string[] = []
    const done = signal()
    store.subscribe(afterCommit(() => void (order.push('after-commit'), done.resolve())), { to: [Noted] })
    store.subscribe(() => void order.push('sync'), { to: [Noted] })
    await store.publish(notes(1))
    order.push('published')
    await done.promise
    expect(order).toEqual(['sync', 'published', 'after-commit'])
  })

  it('composed: refuses a handler no dispatcher accepts', async () => {
    const store = await openTestStore({ dispatcher: new ComposedDispatcher(new AfterCommitDispatcher()) })
    store.subscribe(() => undefined, { to: [Noted] })
    expect((await failure(() => store.publish(notes(1)))).message).toContain('No dispatcher accepts')
  })

  it('reports a failing after-commit handler to onError without failing publish', async () => {
    const reported = signal<{ error: unknown; event?: RecordedEvent }>()
    const store = await openTestStore({ dispatcher: composed(), onError: (error, event) => reported.resolve({ error, event }) })
    store.subscribe(afterCommit(() => Promise.reject(new Error('mailer down'))), { to: [Noted] })
    await store.publish(notes(1))
    const { error, event } = await reported.promise
    expect((error as Error).message).toBe('mailer down')
    expect(event?.eventId).toBe('e1')
    expect(await store.read.count()).toBe(1)
  })

  it('reports a failing immediate handler to onError', async () => {
    const onError = vi.fn()
    const reported = signal()
    const store = await openTestStore({
      dispatcher: composed(),
      onError: (...args) => {
        onError(...args)
        reported.resolve()
      },
    })
    store.subscribe(immediate(() => { throw new Error('boom') }), { to: [Noted] })
    await store.publish(notes(1))
    await reported.promise
    expect(onError).toHaveBeenCalledTimes(1)
  })

  it('gives after-commit handlers the cause’s correlation and causation', async () => {
    const store = await openTestStore({ dispatcher: composed() })
    const done = signal()
    store.subscribe(afterCommit(async (e, { store: scoped }) => {
      await scoped.publish([Counted({ n: 1 }, { eventId: 'caused' })])
      done.resolve()
    }), { to: [Noted] })
    await store.transaction((tx) => tx.publish(notes(1)))
    await done.promise
    expect((await store.read.eventOrThrow('caused')).metadata).toMatchObject({ correlationId: 'e1', causationId: 'e1' })
  })
})
