import { act } from 'react'
import { describe, expect, it } from 'vitest'
import type { ProjectionsSource } from '../../src/devtools'
import type { ProjectionStatus } from '../../src/eventstore'
import { notes } from '../support/events'
import { openTestStore } from '../support/stores'
import { Tally } from '../support/Tally'
import { button, change, click, field, find, renderPanel, rowIds, text, waitFor } from './support'

/** A projections source a test drives: set the statuses, see the calls. */
function fakeProjections(initial: ProjectionStatus[]): ProjectionsSource & { set(statuses: ProjectionStatus[]): void; calls: string[] } {
  let snapshot = { projections: initial }
  const listeners = new Set<() => void>()
  const calls: string[] = []
  return {
    calls,
    getSnapshot: () => snapshot,
    subscribe: (listener) => (listeners.add(listener), () => void listeners.delete(listener)),
    rebuild: (name) => void calls.push(`rebuild ${name}`),
    retry: (name) => void calls.push(`retry ${name}`),
    set(statuses) {
      snapshot = { projections: statuses }
      listeners.forEach((listener) => listener())
    },
  }
}

const tableRows = (view: HTMLElement) => [...view.querySelectorAll('tbody tr')].map((tr) => [...tr.children].map((cell) => text(cell)))

describe('devtools streams', () => {
  it('lists every stream with its version, narrows by prefix, and opens one in the timeline', async () => {
    const store = await openTestStore()
    await store.append(notes(3, 'a'), { stream: 'Tally$a' })
    await store.append(notes(1, 'b'), { stream: 'Notes' })
    await store.append(notes(2, 'c'), { stream: 'Tally$c' })
    const view = await renderPanel({ store, aggregates: [Tally] })
    await click(button(view, 'Streams'))
    await waitFor(() =>
      expect(tableRows(view)).toEqual([
        ['Notes', '0', '1', ''],
        ['Tally$a', '2', '3', 'Tally'],
        ['Tally$c', '1', '2', 'Tally'],
      ]),
    )
    await change(field(view, 'Name starts with'), 'Tally$')
    await waitFor(() => expect(tableRows(view).map((r) => r[0])).toEqual(['Tally$a', 'Tally$c']))
    await click(button(view, 'Show the events of Tally$c'))
    await waitFor(() => expect(rowIds(view)).toEqual(['c2', 'c1']))
    expect(field(view, 'Stream').value).toBe('Tally$c')
  })
})

describe('devtools projections', () => {
  const running: ProjectionStatus = { name: 'orders', state: 'catching-up', checkpoint: 40, head: 100, lag: 60, attempts: 0 }
  const stopped: ProjectionStatus = {
    name: 'stock',
    state: 'stopped',
    checkpoint: 7,
    head: 100,
    lag: 93,
    attempts: 3,
    failure: { eventId: 'e8', position: 8, error: { name: 'TypeError', message: 'quantity is undefined' } },
  }

  it('shows checkpoint, head, lag and status, with a stopped projection’s event and error, live', async () => {
    const store = await openTestStore()
    await store.append(notes(8))
    const projections = fakeProjections([running, stopped])
    const view = await renderPanel({ store, projections })
    await click(button(view, 'Projections'))
    const rows = tableRows(view)
    expect(rows[0]?.slice(0, 5)).toEqual(['orders', 'catching up', '40', '100', '60'])
    expect(rows[1]?.slice(0, 5)).toEqual(['stock', 'stopped Stopped at event e8 (#8): TypeError: quantity is undefined', '7', '100', '93'])
    const progress = view.querySelector('progress[aria-label="orders caught up"]') as HTMLProgressElement
    expect([progress.value, progress.max]).toEqual([40, 100])

    await act(() => projections.set([{ ...running, state: 'idle', checkpoint: 100, lag: 0 }, stopped]))
    expect(tableRows(view)[0]?.slice(0, 5)).toEqual(['orders', 'up to date', '100', '100', '0'])

    // The failing event opens in the timeline's detail.
    await click(button(view, 'e8'))
    await waitFor(() => expect(find(view, '.kd-detail code').textContent).toBe('e8'))
  })

  it('rebuilds and retries through the source, and shows a rebuild’s progress', async () => {
    const store = await openTestStore()
    const projections = fakeProjections([running, stopped])
    const view = await renderPanel({ store, projections })
    await click(button(view, 'Projections'))
    await click(button(view, 'Rebuild orders'))
    await click(button(view, 'Retry stock'))
    expect(projections.calls).toEqual(['rebuild orders', 'retry stock'])
    expect(() => button(view, 'Retry orders')).toThrow()

    await act(() => projections.set([{ ...running, state: 'rebuilding', progress: { done: 250, total: 1000 } }, stopped]))
    const progress = view.querySelector('progress[aria-label="Rebuild of orders"]') as HTMLProgressElement
    expect([progress.value, progress.max]).toEqual([250, 1000])
    expect(button(view, 'Rebuild orders').disabled).toBe(true)
  })

  it('says when no projections are connected', async () => {
    const view = await renderPanel({ store: await openTestStore() })
    await click(button(view, 'Projections'))
    expect(text(view.querySelector('.kd-projections'))).toContain('No projections are connected')
  })
})
