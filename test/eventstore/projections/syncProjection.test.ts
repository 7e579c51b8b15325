import { describe, expect, it } from 'vitest'
import { syncProjection, type EventOf, type EventStore } from '../../../src/eventstore'
import { Counted, Noted, notes } from '../../support/events'
import { failure } from '../../support/failure'
import { heldChannels } from '../../support/channels'
import { openTestStore, uniqueName } from '../../support/stores'

interface Tally {
  total: number
  /** Every event applied, in the order it was applied. */
  seen: string[]
}

const initial: Tally = { total: 0, seen: [] }
const evolve = (state: Tally, event: EventOf<typeof Counted> | EventOf<typeof Noted>): Tally => {
  switch (event.type) {
    case 'Test.Counted':
      return { total: state.total + event.data.n, seen: [...state.seen, event.eventId] }
    case 'Test.Noted':
      return { ...state, seen: [...state.seen, event.eventId] }
  }
}

const tally = (store: EventStore, options: { batchSize?: number; seed?: boolean } = {}) =>
  syncProjection(store, { events: [Counted, Noted], initial, evolve, ...options })

/** Resolves with the next state the projection reports. */
const nextState = <S>(projection: { subscribe(listener: (state: S) => void): () => void }) =>
  new Promise<S>((resolve) => {
    const off = projection.subscribe((state) => {
      off()
      resolve(state)
    })
  })

describe('syncProjection', () => {
  it('seeds its state from the matching events already in the log, in global order', async () => {
    const store = await openTestStore()
    await store.append([Counted({ n: 2 }, { eventId: 'c1' }), ...notes(2)])
    await store.append([{ eventId: 'x', type: 'Unrelated', data: {}, metadata: {} }, Counted({ n: 5 }, { eventId: 'c2' })])
    const projection = tally(store, { batchSize: 2 })
    expect(projection.getState()).toBe(initial)
    await expect(projection.ready).resolves.toEqual({ total: 7, seen: ['c1', 'e1', 'e2', 'c2'] })
    expect(projection.getState()).toEqual({ total: 7, seen: ['c1', 'e1', 'e2', 'c2'] })
  })

  it('follows events as they are published: the state has changed when publish resolves', async () => {
    const store = await openTestStore()
    const projection = tally(store)
    await projection.ready
    const heard: Array<[Tally, Tally]> = []
    projection.subscribe((state, previous) => void heard.push([state, previous]))
    await store.publish(Counted({ n: 3 }, { eventId: 'c1' }))
    expect(projection.getState()).toEqual({ total: 3, seen: ['c1'] })
    expect(heard).toEqual([[{ total: 3, seen: ['c1'] }, initial]])
  })

  it('applies a transaction’s events only once it has committed, and never those of one that aborted', async () => {
    const store = await openTestStore()
    const projection = tally(store)
    await projection.ready
    await failure(() =>
      store.transaction(async (tx) => {
        await tx.publish(Counted({ n: 100 }, { eventId: 'aborted' }))
        throw new Error('abort')
      }),
    )
    const committed = nextState(projection)
    await store.transaction(async (tx) => {
      await tx.publish(Counted({ n: 1 }, { eventId: 'c1' }))
      // Published, not yet committed: not shown.
      expect(projection.getState()).toBe(initial)
    })
    expect(await committed).toEqual({ total: 1, seen: ['c1'] })
    expect(projection.getState()).toEqual({ total: 1, seen: ['c1'] })
  })

  it('applies each event once when events are published while it seeds', async () => {
    const store = await openTestStore()
    await store.append(notes(6))
    const published: Array<Promise<unknown>> = []
    // Publishes while the seed is read, one batch at a time: once a batch in, and at its last event.
    const projection = syncProjection(store, {
      events: [Counted, Noted],
      initial,
      batchSize: 1,
      evolve: (state, event) => {
        if (event.eventId === 'e2') published.push(store.publish(Counted({ n: 1 }, { eventId: 'during-1' })))
        if (event.eventId === 'e6') published.push(store.publish([Counted({ n: 2 }, { eventId: 'during-2' }), Noted({ text: 'x' }, { eventId: 'during-3' })]))
        return evolve(state, event)
      },
    })
    const seeded = await projection.ready
    await Promise.all(published)
    const expected = ['e1', 'e2', 'e3', 'e4', 'e5', 'e6', 'during-1', 'during-2', 'during-3']
    expect(seeded.seen).toEqual(expected)
    expect(projection.getState()).toEqual({ total: 3, seen: expected })
    // And it goes on following, once each.
    await store.publish(Counted({ n: 4 }, { eventId: 'after' }))
    expect(projection.getState()).toEqual({ total: 7, seen: [...expected, 'after'] })
  })

  it('skips an event the seed already read when its delivery comes after the seed', async () => {
    // A channel that holds every notice until released: another connection's commits heard late.
    const bus = heldChannels()
    const name = uniqueName()
    const store = await openTestStore({ name, channel: bus.channel })
    const otherTab = await openTestStore({ name, channel: bus.channel })
    await otherTab.publish(Counted({ n: 1 }, { eventId: 'c1' }))
    await otherTab.publish(Counted({ n: 2 }, { eventId: 'c2' }))
    // The seed reads both events before their notices arrive.
    const projection = tally(store)
    expect(bus.held).toHaveLength(2)
    expect(await projection.ready).toEqual({ total: 3, seen: ['c1', 'c2'] })
    await store.publish(Counted({ n: 4 }, { eventId: 'c3' }))
    bus.release()
    // A read after the notices: had they started a catch-up, it would have ended by now.
    await projection.ready
    await store.read.last()
    expect(projection.getState()).toEqual({ total: 7, seen: ['c1', 'c2', 'c3'] })
  })

  it('notifies no one when an event changes nothing (Object.is)', async () => {
    const store = await openTestStore()
    const projection = syncProjection(store, {
      events: [Counted],
      initial: { total: 0 },
      evolve: (state, event) => (event.data.n === 0 ? state : { total: state.total + event.data.n }),
    })
    await projection.ready
    const heard: number[] = []
    projection.subscribe((state) => void heard.push(state.total))
    await store.publish(Counted({ n: 0 }))
    await store.publish(Counted({ n: 2 }))
    await store.publish(Counted({ n: 0 }))
    expect(heard).toEqual([2])
  })

  it('starts from its initial state without reading the log when seed is false', async () => {
    const store = await openTestStore()
    await store.append(Counted({ n: 5 }, { eventId: 'old' }))
    const projection = tally(store, { seed: false })
    expect(await projection.ready).toBe(initial)
    await store.publish(Counted({ n: 1 }, { eventId: 'new' }))
    expect(projection.getState()).toEqual({ total: 1, seen: ['new'] })
  })

  it('stops following on stop, and its listeners can unsubscribe', async () => {
    const store = await openTestStore()
    const projection = tally(store)
    await projection.ready
    const heard: string[][] = []
    const off = projection.subscribe((state) => void heard.push(state.seen))
    await store.publish(Counted({ n: 1 }, { eventId: 'c1' }))
    off()
    await store.publish(Counted({ n: 1 }, { eventId: 'c2' }))
    projection.stop()
    await store.publish(Counted({ n: 1 }, { eventId: 'c3' }))
    expect(heard).toEqual([['c1']])
    expect(projection.getState()).toEqual({ total: 2, seen: ['c1', 'c2'] })
  })

  it('rejects ready when the seed cannot be read, and stops', async () => {
    const store = await openTestStore()
    store.close()
    const projection = tally(store)
    await expect(projection.ready).rejects.toMatchObject({ name: 'StoreClosedError' })
    expect(projection.getState()).toBe(initial)
  })
})
