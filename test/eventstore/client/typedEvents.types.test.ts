// Types that flow: the event types given to subscribe, ofType and publish type what comes back.
// These checks are compile-time (tsc runs over test/ in `npm test`); each test also asserts at run time.
import { describe, expect, expectTypeOf, it } from 'vitest'
import { afterCommit, type EventOf, type RecordedEvent } from '../../../src/eventstore'
import { Counted, Flagged, Noted } from '../../support/events'
import { openTestStore } from '../../support/stores'

type NotedEvent = EventOf<typeof Noted>
type CountedEvent = EventOf<typeof Counted>

describe('typed events', () => {
  it('gives a handler the union of the definitions it subscribed to', async () => {
    const store = await openTestStore()
    const seen: string[] = []
    store.subscribe(
      (event) => {
        expectTypeOf(event).toEqualTypeOf<NotedEvent | CountedEvent>()
        // @ts-expect-error Counted's data has no `text`: the union must be narrowed first
        void event.data.text
        if (event.type === 'Test.Noted') {
          expectTypeOf(event.data).toEqualTypeOf<{ text: string }>()
          seen.push(event.data.text)
        } else {
          expectTypeOf(event.data).toEqualTypeOf<{ n: number }>()
          seen.push(String(event.data.n))
        }
      },
      { to: [Noted, Counted] },
    )
    await store.publish([Noted({ text: 'hi' }), Flagged({ flag: true }), Counted({ n: 2 })])
    expect(seen).toEqual(['hi', '2'])
  })

  it('narrows a single definition, and handlers wrapped by afterCommit', async () => {
    const store = await openTestStore()
    const texts: string[] = []
    store.subscribe((event) => void texts.push(event.data.text), { to: Noted })
    store.subscribe(
      afterCommit((event) => {
        expectTypeOf(event).toEqualTypeOf<NotedEvent>()
      }),
      { to: [Noted] },
    )
    await store.publish(Noted({ text: 'one' }))
    expect(texts).toEqual(['one'])
  })

  it('refuses a handler written for other events than those subscribed to', async () => {
    const store = await openTestStore()
    const flags: boolean[] = []
    const onFlagged = (event: EventOf<typeof Flagged>) => void flags.push(event.data.flag)
    // @ts-expect-error the handler expects Flagged events, but it subscribes to Noted
    const off = store.subscribe(onFlagged, { to: [Noted] })
    off()
    store.subscribe(onFlagged, { to: [Flagged] })
    await store.publish([Noted({ text: 'no' }), Flagged({ flag: true })])
    expect(flags).toEqual([true])
  })

  it('keeps type names given as strings untyped, and lets such a handler declare its events', async () => {
    const store = await openTestStore()
    const types: string[] = []
    store.subscribe(
      (event) => {
        expectTypeOf(event).toEqualTypeOf<NotedEvent | RecordedEvent>()
        types.push(event.type)
      },
      { to: [Noted, 'Test.Counted'] },
    )
    store.subscribe(
      (event) => {
        expectTypeOf(event).toEqualTypeOf<RecordedEvent>()
      },
      { to: ['Test.Counted'] },
    )
    store.subscribe((event: CountedEvent) => void types.push(`n=${event.data.n}`), { to: ['Test.Counted'] })
    await store.publish([Counted({ n: 3 }), Noted({ text: 'x' })])
    expect(types).toEqual(['Test.Counted', 'n=3', 'Test.Noted'])
  })

  it('returns the recorded versions of the published events', async () => {
    const store = await openTestStore()
    const recorded = await store.publish([Noted({ text: 'a' }), Counted({ n: 1 })], { stream: 's' })
    expectTypeOf(recorded).toEqualTypeOf<Array<NotedEvent | CountedEvent>>()
    const [one] = await store.append(Noted({ text: 'b' }))
    expectTypeOf(one).toEqualTypeOf<NotedEvent | undefined>()
    expect(one?.data.text).toBe('b')
    expect(recorded.map((event) => event.type)).toEqual(['Test.Noted', 'Test.Counted'])
  })

  it('types what a query of definitions reads, through every refinement', async () => {
    const store = await openTestStore()
    await store.append([Noted({ text: 'a' }, { eventId: 'n1' }), Counted({ n: 1 }), Noted({ text: 'b' })], { stream: 's' })
    const notes = store.read.stream('s').ofType([Noted]).backward().limit(5)
    const read = await notes.toArray()
    expectTypeOf(read).toEqualTypeOf<NotedEvent[]>()
    expectTypeOf(await notes.first()).toEqualTypeOf<NotedEvent | undefined>()
    expectTypeOf(await notes.last()).toEqualTypeOf<NotedEvent | undefined>()
    for await (const batch of notes.inBatches(1)) expectTypeOf(batch).toEqualTypeOf<NotedEvent[]>()
    // @ts-expect-error Noted's data has no `n`
    void read[0]?.data.n
    // By id, a query finds any event, whatever its types.
    expectTypeOf(await notes.event('n1')).toEqualTypeOf<RecordedEvent | undefined>()
    expectTypeOf(await store.read.ofType('Test.Noted').toArray()).toEqualTypeOf<RecordedEvent[]>()
    expectTypeOf(await store.read.ofType([Noted, Counted]).toArray()).toEqualTypeOf<Array<NotedEvent | CountedEvent>>()
    expect(read.map((event) => event.data.text)).toEqual(['b', 'a'])
  })
})
