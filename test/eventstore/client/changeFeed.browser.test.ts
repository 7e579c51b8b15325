// In headless Chromium: another context (a real Worker, as the projection worker that syncs) writes
// to the page's database, and the page's projections follow it with nothing but the store.
import { afterEach, describe, expect, it } from 'vitest'
import { syncProjection, type EventStore, type SyncProjection } from '../../../src/eventstore'
import { Counted } from '../../support/events'
import { openTestStore } from '../../support/stores'
import type { WriterMessage } from './writer.worker'

const workers: Worker[] = []
afterEach(() => {
  for (const worker of workers.splice(0)) worker.terminate()
})

/** Has a Worker of its own write to the database, and resolves once it has committed. */
function writeInWorker(database: string, write: WriterMessage['write']): Promise<void> {
  const worker = new Worker(new URL('./writer.worker.ts', import.meta.url), { type: 'module' })
  workers.push(worker)
  return new Promise((resolve, reject) => {
    worker.onmessage = () => resolve()
    worker.onerror = (event) => reject(new Error(event.message))
    worker.postMessage({ database, write } satisfies WriterMessage)
  })
}

function until<S>(projection: SyncProjection<S>, ok: (state: S) => boolean): Promise<S> {
  if (ok(projection.getState())) return Promise.resolve(projection.getState())
  return new Promise((resolve) => {
    const off = projection.subscribe((state) => ok(state) && (off(), resolve(state)))
  })
}

const counter = (store: EventStore) =>
  syncProjection(store, {
    events: [Counted],
    initial: { total: 0, ids: [] as string[] },
    evolve: (state, event) => ({ total: state.total + event.data.n, ids: [...state.ids, event.eventId] }),
  })

describe('following what another context writes, in Chromium', () => {
  it('a sync projection and a follower hear a page of events a Worker wrote, once each', async () => {
    const store = await openTestStore()
    const totals = counter(store)
    await totals.ready
    const followed: string[] = []
    // The projection and the follower each read the log on the notice, in their own time.
    let heardBoth = () => {}
    const bothHeard = new Promise<void>((resolve) => (heardBoth = resolve))
    const follower = store.follow((events) => {
      followed.push(...events.map((e) => e.eventId))
      if (followed.length >= 2) heardBoth()
    })
    await follower.caughtUp
    await writeInWorker(store.name, 'pull')
    expect(await until(totals, (s) => s.total === 5)).toEqual({ total: 5, ids: ['pulled-1', 'pulled-2'] })
    await bothHeard
    expect(followed).toEqual(['pulled-1', 'pulled-2'])
  })

  it('a sync projection seeds again when a Worker takes events out of the log', async () => {
    const store = await openTestStore()
    await store.append([Counted({ n: 1 }, { eventId: 'kept' }), Counted({ n: 10 }, { eventId: 'unconfirmed' })], { stream: 'Tally$mine' })
    const totals = counter(store)
    expect(await totals.ready).toEqual({ total: 11, ids: ['kept', 'unconfirmed'] })
    await writeInWorker(store.name, 'rebase')
    expect(await until(totals, (s) => s.total === 6)).toEqual({ total: 6, ids: ['kept', 'confirmed'] })
  })
})
