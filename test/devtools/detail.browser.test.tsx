import { describe, expect, it } from 'vitest'
import { DispatchLog, InstrumentedDispatcher, SyncDispatcher, afterCommit, defaultComposedDispatcher } from '../../src/eventstore'
import { Counted, Flagged, Noted } from '../support/events'
import { openTestStore } from '../support/stores'
import { button, click, renderPanel, row, rowIds, section, text, waitFor } from './support'

describe('devtools event detail', () => {
  it('shows data and metadata as collapsible trees, and the event’s streams with its position in each', async () => {
    const store = await openTestStore()
    await store.append([Counted({ n: 0 }, { eventId: 'first' })], { stream: 'Cart$1' })
    await store.append(
      [Noted({ text: 'hi', lines: [{ sku: 'p1', qty: 2 }], deep: { a: { b: { c: 'hidden at first' } } } } as any, { eventId: 'x', metadata: { source: 'ui' } })],
      { stream: 'Cart$1' },
    )
    await store.link(['x'], { stream: 'Audit' })
    const view = await renderPanel({ store })
    await waitFor(() => row(view, 'x'))
    await click(row(view, 'x'))
    const data = await waitFor(() => section(view, 'Data'))
    expect(view.querySelector('.kd-detail h3')?.textContent).toBe('Test.Noted')
    expect(text(data)).toContain('text: "hi"')
    expect(text(data)).not.toContain('sku')
    // Deeper levels start closed: a <details> the user opens.
    const closed = [...data.querySelectorAll('details')].filter((d) => !d.open)
    expect(closed.map((d) => d.querySelector('summary')?.textContent)).toEqual(['0: {2 keys}', 'a: {1 key}', 'b: {1 key}'])
    await click(closed[0]?.querySelector('summary') as HTMLElement)
    expect(closed[0]?.open).toBe(true)
    expect(text(data)).toContain('sku: "p1" qty: 2')
    expect(text(section(view, 'Metadata'))).toContain('correlationId: "x"')
    expect(text(section(view, 'Metadata'))).toContain('source: "ui"')
    await waitFor(() => expect(text(section(view, 'Streams'))).toBe('Streams Cart$1 at position 1 Audit at position 0'))
  })

  it('shows its cause, what it caused and the whole correlation as a tree', async () => {
    const store = await openTestStore()
    store.subscribe(async (e, { store: scoped }) => void (await scoped.publish([Counted({ n: 1 }, { eventId: `count-${e.eventId}` })])), { to: [Noted] })
    store.subscribe(async (e, { store: scoped }) => void (await scoped.publish([Flagged({ flag: true }, { eventId: `flag-${e.eventId}` })])), { to: [Counted] })
    await store.publish([Noted({ text: 'other' }, { eventId: 'unrelated' })])
    await store.publish([Noted({ text: 'root' }, { eventId: 'root' })])
    const view = await renderPanel({ store })
    await waitFor(() => row(view, 'count-root'))
    await click(row(view, 'count-root'))
    await waitFor(() => expect(text(section(view, 'Caused by'))).toBe('Caused by Test.Noted #4'))
    expect(text(section(view, 'Caused'))).toBe('Caused Test.Flagged #6')
    const tree = section(view, 'Correlation').querySelector('[aria-label="Correlation by causation"]') as HTMLElement
    // root → count-root → flag-count-root, nested; the other correlation is not in it.
    expect(text(tree)).toBe('Test.Noted #4 Test.Counted #5 Test.Flagged #6')
    const depth = (eventId: string) => {
      let lists = 0
      for (let el = tree.querySelector(`[data-event-id="${eventId}"]`); el && el !== tree; el = el.parentElement) if (el.tagName === 'UL') lists += 1
      return lists
    }
    expect(['root', 'count-root', 'flag-count-root'].map(depth)).toEqual([0, 1, 2])
    expect(tree.querySelector('[aria-current="true"]')?.getAttribute('data-event-id')).toBe('count-root')

    // Following a link selects that event.
    await click(section(view, 'Caused by').querySelector('button') as HTMLElement)
    await waitFor(() => expect(text(section(view, 'Caused by'))).toBe('Caused by Nothing: it was not published by a handler.'))
    await click(button(view, 'Show the correlation in the timeline'))
    await waitFor(() => expect(rowIds(view)).toEqual(['flag-count-root', 'count-root', 'root']))
  })

  it('shows which handlers ran, through which dispatcher, how long and whether they failed', async () => {
    const dispatches = new DispatchLog()
    let ms = 0
    const dispatcher = new InstrumentedDispatcher(defaultComposedDispatcher(new SyncDispatcher()), dispatches, { now: () => (ms += 1.5) })
    const store = await openTestStore({ dispatcher, onError: () => undefined })
    store.subscribe(function updateTotals() {}, { to: [Noted] })
    store.subscribe(afterCommit(function sendReceipt() {
      throw new Error('mail server down')
    }), { to: [Noted] })
    await store.publish([Noted({ text: 'x' }, { eventId: 'n' })])
    const view = await renderPanel({ store, dispatches })
    await waitFor(() => row(view, 'n'))
    await click(row(view, 'n'))
    const handlers = await waitFor(() => {
      const found = section(view, 'Handlers')
      expect(found.querySelectorAll('tbody tr').length).toBe(2)
      return found
    })
    const cells = [...handlers.querySelectorAll('tbody tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => text(td)))
    expect(cells.map(([name, kind, , took, result]) => [name, kind, took, result])).toEqual([
      ['updateTotals', 'sync (inside publish)', '1.5 ms', 'ok'],
      ['sendReceipt', 'after commit', '1.5 ms', 'failed: Error: mail server down'],
    ])
  })
})
