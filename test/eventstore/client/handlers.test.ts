import { describe, expect, it, vi } from 'vitest'
import { WrongExpectedVersionError, type Dispatcher, type RecordedEvent } from '../../../src/eventstore'
import { Counted, Flagged, Noted, ids, notes } from '../../support/events'
import { failure } from '../../support/failure'
import { openTestStore } from '../../support/stores'

describe('subscriptions and sync handlers', () => {
  it('calls a handler for the types it subscribed to, in order, before publish resolves', async () => {
    const store = await openTestStore()
    const seen: string[] = []
    store.subscribe((event) => void seen.push(event.eventId), { to: [Noted] })
    await store.publish([...notes(2), Counted({ n: 1 }, { eventId: 'c1' }), ...notes(1, 'x')], { stream: 's' })
    expect(seen).toEqual(['e1', 'e2', 'x1'])
  })

  it('accepts type names as well as definitions', async () => {
    const store = await openTestStore()
    const seen: string[] = []
    store.subscribe((event) => void seen.push(event.type), { to: ['Test.Counted', Flagged] })
    await store.publish([Counted({ n: 1 }), Noted({ text: 'no' }), Flagged({ flag: true })])
    expect(seen).toEqual(['Test.Counted', 'Test.Flagged'])
  })

  it('calls subscribeToAll handlers for every event, after the type handlers', async () => {
    const store = await openTestStore()
    const seen: string[] = []
    store.subscribeToAll((event) => void seen.push(`all:${event.eventId}`))
    store.subscribe((event) => void seen.push(`typed:${event.eventId}`), { to: [Noted] })
    await store.publish([...notes(1), Counted({ n: 1 }, { eventId: 'c1' })])
    expect(seen).toEqual(['typed:e1', 'all:e1', 'all:c1'])
  })

  it('stops calling a handler once unsubscribed', async () => {
    const store = await openTestStore()
    const handler = vi.fn()
    const off = store.subscribe(handler, { to: [Noted] })
    const offAll = store.subscribeToAll(handler)
    await store.publish(notes(1))
    off()
    offAll()
    await store.publish(notes(1, 'x'))
    expect(handler).toHaveBeenCalledTimes(2)
  })

  it('calls a handler once per event when its subscription names a type twice, until unsubscribed', async () => {
    const store = await openTestStore()
    const seen: string[] = []
    const off = store.subscribe((event) => void seen.push(event.eventId), { to: [Noted, 'Test.Noted', Counted, Noted] })
    await store.publish([...notes(1), Counted({ n: 1 }, { eventId: 'c1' })])
    expect(seen).toEqual(['e1', 'c1'])
    off()
    await store.publish([...notes(1, 'x'), Counted({ n: 2 }, { eventId: 'c2' })])
    expect(seen).toEqual(['e1', 'c1'])
  })

  it('keeps each subscribe call its own subscription: unsubscribing one leaves the others of the same handler', async () => {
    const store = await openTestStore()
    const seen: string[] = []
    const handler = (event: RecordedEvent) => void seen.push(event.eventId)
    const offFirst = store.subscribe(handler, { to: [Noted] })
    store.subscribe(handler, { to: [Noted] })
    const offFirstAll = store.subscribeToAll(handler)
    store.subscribeToAll(handler)
    await store.publish(notes(1))
    expect(seen).toEqual(['e1', 'e1', 'e1', 'e1'])
    offFirst()
    offFirstAll()
    offFirst() // a second call changes nothing
    offFirstAll()
    await store.publish(notes(1, 'x'))
    expect(seen.slice(4)).toEqual(['x1', 'x1'])
  })

  it('waits for async handlers before publish resolves', async () => {
    const store = await openTestStore()
    let done = false
    store.subscribe(async (_event, { store: scoped }) => {
      await scoped.streamVersion('s')
      done = true
    }, { to: [Noted] })
    await store.publish(notes(1), { stream: 's' })
    expect(done).toBe(true)
  })

  it('does not call handlers from append', async () => {
    const store = await openTestStore()
    const handler = vi.fn()
    store.subscribeToAll(handler)
    await store.append(notes(2))
    expect(handler).not.toHaveBeenCalled()
  })

  it('calls no handler when the publish fails', async () => {
    const store = await openTestStore()
    const handler = vi.fn()
    store.subscribeToAll(handler)
    await store.append(notes(1), { stream: 's' })
    expect(await failure(() => store.publish(notes(1, 'x'), { stream: 's', expectedVersion: 'none' }))).toBeInstanceOf(
      WrongExpectedVersionError,
    )
    expect(handler).not.toHaveBeenCalled()
  })

  it('fails publish with the handler’s error, keeps the events, and skips later handlers', async () => {
    const store = await openTestStore()
    const boom = new Error('projection broke')
    const later = vi.fn()
    store.subscribe(() => {
      throw boom
    }, { to: [Noted] })
    store.subscribe(later, { to: [Noted] })
    expect(await failure(() => store.publish(notes(2), { stream: 's' }))).toBe(boom)
    expect(ids(await store.read.stream('s').toArray())).toEqual(['e1', 'e2'])
    expect(later).not.toHaveBeenCalled()
  })

  it('gives events published by a handler the cause’s correlation and causation', async () => {
    const store = await openTestStore()
    store.subscribe(async (event, { store: scoped }) => {
      await scoped.publish([Counted({ n: 1 }, { eventId: `counted-after-${event.eventId}` })], { stream: 'counts' })
    }, { to: [Noted] })
    await store.withMetadata({ correlationId: 'root-corr' }, (scoped) => scoped.publish(notes(1)))
    expect((await store.read.eventOrThrow('counted-after-e1')).metadata).toMatchObject({
      correlationId: 'root-corr',
      causationId: 'e1',
    })
  })

  it('carries causation through a chain of handlers that publish through their context’s store', async () => {
    const store = await openTestStore()
    store.subscribe(async (_, { store: scoped }) => {
      await scoped.publish([Counted({ n: 1 }, { eventId: 'second' })])
    }, { to: [Noted] })
    store.subscribe(async (_, { store: scoped }) => {
      await scoped.publish([Flagged({ flag: true }, { eventId: 'third' })])
    }, { to: [Counted] })
    await store.publish([Noted({ text: 'first' }, { eventId: 'first' })])
    const [first, second, third] = await store.read.toArray()
    expect(ids([first!, second!, third!])).toEqual(['first', 'second', 'third'])
    expect(first!.metadata.causationId).toBeUndefined()
    expect(second!.metadata).toMatchObject({ correlationId: 'first', causationId: 'first' })
    expect(third!.metadata).toMatchObject({ correlationId: 'first', causationId: 'second' })
  })

  it('gives no causation to an unrelated publish made while a handler awaits', async () => {
    const store = await openTestStore()
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    let entered!: () => void
    const inHandler = new Promise<void>((resolve) => (entered = resolve))
    store.subscribe(async (event) => {
      if (event.eventId !== 'cause') return
      entered()
      await gate // e.g. a read-model write
    }, { to: [Noted] })
    const publishing = store.publish([Noted({ text: 'x' }, { eventId: 'cause' })])
    await inHandler
    await store.publish([Counted({ n: 1 }, { eventId: 'unrelated' })])
    release()
    await publishing
    const unrelated = await store.read.eventOrThrow('unrelated')
    expect(unrelated.metadata.causationId).toBeUndefined()
    expect(unrelated.metadata.correlationId).toBe('unrelated')
  })

  it('hands each handler to the injected dispatcher', async () => {
    const calls: string[] = []
    const dispatcher: Dispatcher = {
      accepts: () => true,
      call: (handler, event, context) => {
        calls.push(event.eventId)
        return handler(event, context)
      },
    }
    const store = await openTestStore({ dispatcher })
    const handler = vi.fn()
    store.subscribeToAll(handler)
    await store.publish(notes(2))
    expect(calls).toEqual(['e1', 'e2'])
    expect(handler).toHaveBeenCalledTimes(2)
  })
})

describe('commit listeners', () => {
  it('hears every committed append once, with the recorded events', async () => {
    const store = await openTestStore()
    const heard: RecordedEvent[][] = []
    store.onCommit((events) => void heard.push([...events]))
    await store.append(notes(2), { stream: 's' })
    await store.publish(notes(1, 'x'))
    expect(heard.map(ids)).toEqual([['e1', 'e2'], ['x1']])
    expect(heard[0]![0]!.globalPosition).toBe(await store.globalPosition('e1'))
  })

  it('hears nothing for a failed append', async () => {
    const store = await openTestStore()
    const listener = vi.fn()
    store.onCommit(listener)
    await failure(() => store.append(notes(1), { stream: 's', expectedVersion: 3 }))
    expect(listener).not.toHaveBeenCalled()
  })
})
