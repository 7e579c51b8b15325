// A deferred projection's apply gets the union of the events it lists.
// These checks are compile-time (tsc runs over test/ in `npm test`); the test also asserts at run time.
import { describe, expect, expectTypeOf, it } from 'vitest'
import { ProjectionRunner, defineProjection, type EventOf, type ProjectionDefinition, type RecordedEvent } from '../../../src/eventstore'
import { Counted, Noted } from '../../support/events'
import { openTestStore } from '../../support/stores'

const readModels = { version: 1, stores: { lines: 'eventId' } }
interface Line { eventId: string; text: string }

describe('typed deferred projections', () => {
  it('gives apply and applyBatch the events of the listed definitions', async () => {
    const lines = defineProjection({
      name: 'lines',
      events: [Noted, Counted],
      tables: ['lines'],
      apply: async (event, { table }) => {
        expectTypeOf(event).toEqualTypeOf<EventOf<typeof Noted> | EventOf<typeof Counted>>()
        // @ts-expect-error Noted's data has no `n`: narrow the union first
        void event.data.n
        const text = event.type === 'Test.Noted' ? event.data.text : `counted ${event.data.n}`
        await table<Line, string>('lines').put({ eventId: event.eventId, text })
      },
    })
    defineProjection({
      name: 'batched',
      events: [Noted, 'Test.Counted'],
      tables: [],
      applyBatch: (events) => {
        expectTypeOf(events).toEqualTypeOf<ReadonlyArray<EventOf<typeof Noted> | RecordedEvent>>()
      },
    })
    // A typed projection is still a ProjectionDefinition for the runner and the worker's host.
    expectTypeOf(lines).toMatchTypeOf<ProjectionDefinition>()

    const store = await openTestStore({ readModels })
    await store.append([Noted({ text: 'hi' }, { eventId: 'e1' }), Counted({ n: 2 }, { eventId: 'c1' })])
    const runner = new ProjectionRunner(store, [lines])
    await runner.start()
    runner.stop()
    expect(await store.db.table<Line, string>('lines').toArray()).toEqual([
      { eventId: 'c1', text: 'counted 2' },
      { eventId: 'e1', text: 'hi' },
    ])
  })
})
