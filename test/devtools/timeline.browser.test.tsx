import { describe, expect, it } from 'vitest'
import type { ChangeFeed } from '../../src/devtools'
import { Counted, Flagged, Noted, notes } from '../support/events'
import { openTestStore, uniqueName } from '../support/stores'
import { button, change, click, field, renderPanel, row, rowIds, scrollToEnd, text, waitFor } from './support'

/** A store whose clock reads 10:00:00, 10:01:00, 10:02:00, … local time, one minute per append. */
async function minuteStore() {
  let minute = 0
  return openTestStore({ clock: () => new Date(2024, 4, 1, 10, minute++, 0) })
}

/** A ChangeFeed a test fires by hand, standing in for the app's BroadcastChannel. */
function manualFeed(): ChangeFeed & { fire(): void } {
  const listeners = new Set<() => void>()
  return {
    subscribe: (listener) => (listeners.add(listener), () => void listeners.delete(listener)),
    fire: () => listeners.forEach((listener) => listener()),
  }
}

describe('devtools timeline', () => {
  it('shows the log newest first: position, time, type, streams and a data summary', async () => {
    const store = await minuteStore()
    await store.append([Noted({ text: 'hello' }, { eventId: 'n1' })], { stream: 'Notes$1' })
    await store.append([Counted({ n: 7 }, { eventId: 'c1' })])
    await store.link(['n1'], { stream: 'All' })
    const view = await renderPanel({ store })
    await waitFor(() => expect(rowIds(view)).toEqual(['c1', 'n1']))
    expect(text(row(view, 'n1'))).toBe('1 2024-05-01 10:00:00.000 Test.Noted Notes$1@0 All@0 text: "hello"')
    expect(text(row(view, 'c1'))).toBe('2 2024-05-01 10:01:00.000 Test.Counted n: 7')
    expect(text(view.querySelector('.kd-timeline__status'))).toBe('2 events, the whole log.')
  })

  it('adds events as they commit in this tab, and in other tabs when the change feed says so', async () => {
    const name = uniqueName()
    const store = await openTestStore({ name })
    const otherTab = await openTestStore({ name })
    const changes = manualFeed()
    await store.append(notes(1))
    const view = await renderPanel({ store, changes })
    await waitFor(() => expect(rowIds(view)).toEqual(['e1']))
    await store.append(notes(1, 'mine'))
    await waitFor(() => expect(rowIds(view)).toEqual(['mine1', 'e1']))
    await otherTab.append(notes(2, 'theirs'))
    changes.fire()
    await waitFor(() => expect(rowIds(view)).toEqual(['theirs2', 'theirs1', 'mine1', 'e1']))
  })

  it('reads the log a page at a time as the list scrolls', async () => {
    const store = await openTestStore()
    await store.append(notes(120))
    const view = await renderPanel({ store, pageSize: 50 })
    await waitFor(() => expect(text(view.querySelector('.kd-timeline__status'))).toBe('50 events loaded; scroll for older ones.'))
    expect(rowIds(view)[0]).toBe('e120')
    for (const loaded of ['100 events loaded; scroll for older ones.', '120 events, the whole log.']) {
      await scrollToEnd(view)
      await waitFor(() => expect(text(view.querySelector('.kd-timeline__status'))).toBe(loaded))
    }
    await scrollToEnd(view)
    await waitFor(() => expect(rowIds(view).at(-1)).toBe('e1'))
  })

  it('filters by event type, listing the types present', async () => {
    const store = await openTestStore()
    await store.append([Noted({ text: 'a' }, { eventId: 'a' }), Counted({ n: 1 }, { eventId: 'b' }), Noted({ text: 'c' }, { eventId: 'c' })])
    const view = await renderPanel({ store })
    const type = field<HTMLSelectElement>(view, 'Event type')
    await waitFor(() => expect([...type.options].map((o) => o.value)).toEqual(['', 'Test.Counted', 'Test.Noted']))
    await change(type, 'Test.Noted')
    await waitFor(() => expect(rowIds(view)).toEqual(['c', 'a']))
    await store.append([Flagged({ flag: true }, { eventId: 'f' }), Noted({ text: 'd' }, { eventId: 'd' })])
    await waitFor(() => expect(rowIds(view)).toEqual(['d', 'c', 'a']))
    await waitFor(() => expect([...type.options].map((o) => o.value)).toContain('Test.Flagged'))
  })

  it('filters by stream, correlation id, time range and text in data, and combines them', async () => {
    const store = await minuteStore()
    await store.append([Noted({ text: 'apple pie' }, { eventId: 'p1', metadata: { correlationId: 'order-1' } })], { stream: 'Cart$1' }) // 10:00
    await store.append([Noted({ text: 'apple juice' }, { eventId: 'p2', metadata: { correlationId: 'order-2' } })], { stream: 'Cart$2' }) // 10:01
    await store.append([Counted({ n: 3 }, { eventId: 'p3', metadata: { correlationId: 'order-1' } })], { stream: 'Cart$1' }) // 10:02
    await store.append([Noted({ text: 'pear' }, { eventId: 'p4', metadata: { correlationId: 'order-1' } })], { stream: 'Cart$1' }) // 10:03
    const view = await renderPanel({ store })
    await waitFor(() => expect(rowIds(view)).toEqual(['p4', 'p3', 'p2', 'p1']))

    await change(field(view, 'Stream'), 'Cart$1')
    await waitFor(() => expect(rowIds(view)).toEqual(['p4', 'p3', 'p1']))
    await change(field(view, 'Text in data'), 'APPLE')
    await waitFor(() => expect(rowIds(view)).toEqual(['p1']))
    await click(button(view, 'Clear filters'))
    await waitFor(() => expect(rowIds(view)).toEqual(['p4', 'p3', 'p2', 'p1']))

    await change(field(view, 'Correlation id'), 'order-1')
    await waitFor(() => expect(rowIds(view)).toEqual(['p4', 'p3', 'p1']))
    await change(field(view, 'From'), '2024-05-01T10:01')
    await change(field(view, 'To'), '2024-05-01T10:02')
    await waitFor(() => expect(rowIds(view)).toEqual(['p3']))
    await change(field(view, 'Correlation id'), '')
    await waitFor(() => expect(rowIds(view)).toEqual(['p3', 'p2']))
    await change(field(view, 'Text in data'), 'nothing like this')
    await waitFor(() => expect(text(view.querySelector('.kd-timeline__status'))).toMatch(/^No event matches/))
    expect(rowIds(view)).toEqual([])
  })

  it('answers a type, a correlation id and a stream from storage, reading only what matches', async () => {
    const store = await minuteStore()
    await store.append(notes(20, 'before'))
    const meta = { metadata: { correlationId: 'checkout-1' } }
    await store.append([Noted({ text: 'a' }, { eventId: 'k1', ...meta }), Counted({ n: 1 }, { eventId: 'k2', ...meta })], { stream: 'Cart$1' })
    await store.append([Counted({ n: 2 }, { eventId: 'k3', ...meta })], { stream: 'Order$1' })
    await store.append(notes(20, 'after'))
    const view = await renderPanel({ store })
    const status = () => text(view.querySelector('.kd-timeline__status'))
    await waitFor(() => expect(rowIds(view)[0]).toBe('after20'))

    await change(field(view, 'Correlation id'), 'checkout-1')
    await waitFor(() => expect(rowIds(view)).toEqual(['k3', 'k2', 'k1']))
    // Nothing was looked at and left out: the status counts no events read besides the matches.
    await waitFor(() => expect(status()).toBe('3 events match.'))
    const type = field<HTMLSelectElement>(view, 'Event type')
    await waitFor(() => expect([...type.options].map((o) => o.value)).toContain('Test.Counted'))
    await change(type, 'Test.Counted')
    await waitFor(() => expect(rowIds(view)).toEqual(['k3', 'k2']))
    await change(field(view, 'Stream'), 'Cart$1')
    await waitFor(() => expect(rowIds(view)).toEqual(['k2']))
    await waitFor(() => expect(status()).toBe('1 event matches.'))
    await change(field(view, 'Correlation id'), 'someone-else')
    await waitFor(() => expect(status()).toBe('No event matches.'))
  })

  it('lists the event types present, and a new type once it is stored', async () => {
    const store = await openTestStore()
    await store.append(notes(3))
    const view = await renderPanel({ store })
    const types = () => [...field<HTMLSelectElement>(view, 'Event type').options].map((o) => o.value)
    await waitFor(() => expect(types()).toEqual(['', 'Test.Noted']))
    expect(field<HTMLSelectElement>(view, 'Event type').getAttribute('aria-busy')).toBe('false')
    await store.append([Flagged({ flag: true }, { eventId: 'f1' })])
    await waitFor(() => expect(types()).toEqual(['', 'Test.Flagged', 'Test.Noted']))
  })

  it('moves between rows with the arrow keys', async () => {
    const store = await openTestStore()
    await store.append(notes(3))
    const view = await renderPanel({ store })
    await waitFor(() => expect(rowIds(view)).toEqual(['e3', 'e2', 'e1']))
    row(view, 'e3').focus()
    row(view, 'e3').dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true }))
    await waitFor(() => expect((document.activeElement as HTMLElement).dataset.eventId).toBe('e2'))
    await click(document.activeElement as HTMLElement)
    expect(row(view, 'e2').getAttribute('aria-current')).toBe('true')
  })
})
