import { describe, expect, it } from 'vitest'
import { page } from 'vitest/browser'
import { initialSyncStatus, syncStateOf, type SyncView } from '../../src/sync'
import { openTestStore } from '../support/stores'
import { Added, Tally } from '../support/Tally'
import { defineEvent } from '../../src/eventstore'
import { button, click, find, renderPanel, row, section, text, waitFor } from './support'

const ItemAdded = defineEvent<{ cartId: string; itemId: string; quantity: number }>('Cart.ItemAdded')

async function cartStore() {
  const store = await openTestStore()
  await store.append(
    [ItemAdded({ cartId: 'c-1', itemId: 'tea', quantity: 1 }, { eventId: 'i1' }), ItemAdded({ cartId: 'c-1', itemId: 'fan', quantity: 2 }, { eventId: 'i2' })],
    { stream: 'Cart$c-1' },
  )
  await store.append([Added({ amount: 5 }, { eventId: 't0' }), Added({ amount: 7 }, { eventId: 't1' })], { stream: 'Tally$t1' })
  return store
}

const box = (element: Element) => element.getBoundingClientRect()

/** A sync that has much to say: commits waiting, a failed push, a dropped and a rejected event. */
function busySync(): SyncView {
  const status = {
    ...initialSyncStatus,
    engine: 'engine-7',
    connection: 'unreachable' as const,
    head: 12,
    cursor: 9,
    pending: 3,
    problem: { code: 'server_error', message: 'The server failed to answer the push of Cart$0a70c43e-2b38-40c3-bc9b-4858ed5302a3.' },
    pendingCommits: [
      { stream: 'Cart$0a70c43e-2b38-40c3-bc9b-4858ed5302a3', confirmed: 4, events: 2, types: ['Cart.ItemAdded', 'Cart.ItemQuantityUpdated'] },
      { stream: 'Order$5d0fc49e-ed98-46ab-b537-158a7edbcc55', confirmed: -1, events: 1, types: ['Order.Placed'] },
    ],
    lastPush: { at: '2025-03-01T10:00:00.000Z', ok: false, summary: '2 commits: 1 accepted, 1 conflict' },
    reports: [
      {
        id: 4,
        at: '2025-03-01T10:00:00.000Z',
        kind: 'dropped' as const,
        stream: 'Cart$0a70c43e-2b38-40c3-bc9b-4858ed5302a3',
        eventId: '6cafc2d7-b962-4806-b1cf-3c4a5f927ed0',
        type: 'Cart.ItemQuantityUpdated',
        data: { itemId: 'sencha', quantity: 3 },
        reason: { code: 'conflict', message: 'That item (sencha) is no longer in the cart.', error: 'Cart.ItemNotInCartError' },
      },
    ],
  }
  return { status, waiting: 3, online: true, state: syncStateOf(status, 3, true) }
}

describe('devtools layout', () => {
  it('shows in the Data column what tells rows apart, leaving out the field that repeats the stream id', async () => {
    const view = await renderPanel({ store: await cartStore() })
    await waitFor(() => row(view, 'i2'))
    expect(text(row(view, 'i2').querySelector('.kd-row__data'))).toBe('itemId: "fan", quantity: 2')
    expect(text(row(view, 'i1').querySelector('.kd-row__data'))).toBe('itemId: "tea", quantity: 1')
    expect(text(row(view, 'i1').querySelector('.kd-row__streams'))).toBe('Cart$c-1@0')
  })

  it('puts the list and the detail side by side when wide, with no header cell over the detail', async () => {
    const view = await renderPanel({ store: await cartStore(), aggregates: [Tally] })
    await waitFor(() => row(view, 't1'))
    await click(row(view, 't1'))
    const side = find(view, '.kd-side')
    const list = find(view, '.kd-timeline')
    expect(box(side).left).toBeGreaterThanOrEqual(box(list).right - 1)
    for (const cell of view.querySelectorAll('.kd-timeline__head > span')) expect(box(cell).right).toBeLessThanOrEqual(box(side).left + 1)
    // Time travel's controls are in view at once, without scrolling the side pane.
    const previous = await waitFor(() => button(section(view, 'Time travel'), 'Previous event'))
    expect(side.scrollTop).toBe(0)
    expect(box(previous).bottom).toBeLessThanOrEqual(box(side).bottom)
  })

  it('stacks the detail under the list on a phone, with two-line rows, and nothing wider than the screen', async () => {
    const view = await renderPanel({ store: await cartStore(), aggregates: [Tally] }, 390)
    await waitFor(() => row(view, 'i2'))
    await waitFor(() => expect(find(view, '.kd-timeline').classList).toContain('kd-timeline--compact'))
    await waitFor(() => expect(box(row(view, 'i2')).height).toBeGreaterThan(36))
    const rowBox = box(row(view, 'i2'))
    expect(box(row(view, 'i2').querySelector('.kd-row__data') as Element).top).toBeGreaterThan(box(row(view, 'i2').querySelector('.kd-row__type') as Element).top)
    expect(rowBox.width).toBeLessThanOrEqual(390)
    await click(row(view, 't1'))
    await waitFor(() => section(view, 'Time travel'))
    expect(box(find(view, '.kd-side')).top).toBeGreaterThanOrEqual(box(find(view, '.kd-timeline')).bottom - 1)
    const panel = find(view, '.kiroku-devtools')
    expect(panel.scrollWidth).toBeLessThanOrEqual(390)
    expect(box(find(view, '.kd-timeline__scroll')).height).toBeGreaterThan(80)
  })

  it('fits a busy Sync tab on a phone', async () => {
    const view = await renderPanel({ store: await cartStore(), sync: busySync(), syncNow: () => undefined, initialTab: 'sync' }, 390)
    const panel = find(view, '.kiroku-devtools')
    await waitFor(() => expect(text(panel)).toContain('Pending commits (2)'))
    expect(panel.scrollWidth).toBeLessThanOrEqual(390)
    for (const table of panel.querySelectorAll('table')) expect(box(table.closest('.kd-scroll-x') as Element).right).toBeLessThanOrEqual(box(panel).right)
    await page.screenshot({ path: '../e2e/screenshots/devtools-sync-390.png', element: panel })
  })

  it('fits the other tabs on a phone too', async () => {
    const view = await renderPanel({ store: await cartStore(), aggregates: [Tally], sync: null }, 390)
    for (const tab of ['Streams', 'Projections', 'Sync']) {
      await click(button(view, tab))
      expect(find(view, '.kiroku-devtools').scrollWidth).toBeLessThanOrEqual(390)
    }
  })
})
