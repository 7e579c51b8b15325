// The devtools' Sync view: what the engine reports, all of it as text.
import { act } from 'react'
import { createRoot } from 'react-dom/client'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { SyncPanel, type SyncPanelProps } from '../../src/devtools'
import { initialSyncStatus, syncStateOf, type SyncReport, type SyncStatus, type SyncView } from '../../src/sync'
import { openTestStore } from '../support/stores'
import { button, click, renderPanel, text } from './support'

const cleanups: Array<() => void> = []
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup()
})

async function renderSync(props: SyncPanelProps): Promise<HTMLElement> {
  const container = document.createElement('div')
  document.body.append(container)
  const root = createRoot(container)
  cleanups.push(() => {
    act(() => root.unmount())
    container.remove()
  })
  await act(async () => root.render(<SyncPanel {...props} />))
  return container
}

const view = (patch: Partial<SyncStatus>, waiting = patch.pending ?? 0): SyncView => {
  const status = { ...initialSyncStatus, engine: 'engine-7', ...patch }
  return { status, waiting, online: true, state: syncStateOf(status, waiting, true) }
}

const fact = (container: HTMLElement, name: string) => text(container.querySelector(`[data-fact="${name}"]`))

const HOSTILE = '<img src=x onerror="window.__kirokuXss=1">'

const dropped: SyncReport = {
  id: 4,
  at: '2025-03-01T10:00:00.000Z',
  kind: 'dropped',
  stream: 'Cart$c1',
  eventId: 'evt-dropped',
  type: 'Cart.ItemQuantityUpdated',
  data: { itemId: 'sencha', quantity: 3 },
  reason: { code: 'conflict', message: 'That item (sencha) is no longer in the cart.', error: 'Cart.ItemNotInCartError' },
}
const hostile: SyncReport = {
  id: 5,
  at: '2025-03-01T10:00:01.000Z',
  kind: 'rejected',
  stream: `Order$${HOSTILE}`,
  eventId: 'evt-rejected',
  type: HOSTILE,
  data: { note: HOSTILE },
  reason: { code: 'invalid', message: HOSTILE },
}

describe('the devtools Sync view', () => {
  it('shows the connection, live channel, head, cursor, scan, problem and next try', async () => {
    const panel = await renderSync({
      view: view({ connection: 'unreachable', live: 'closed', head: 12, cursor: 9, scanned: 40, pending: 2, problem: { code: 'server_error', message: 'The server failed.' }, retryAt: '2025-03-01T10:00:05.000Z' }),
    })
    expect(fact(panel, 'connection')).toBe('unreachable')
    expect(fact(panel, 'live')).toBe('closed (pulling every few seconds)')
    expect(fact(panel, 'head')).toBe('12')
    expect(fact(panel, 'cursor')).toBe('9 (3 to pull)')
    expect(fact(panel, 'scanned')).toBe('40')
    expect(fact(panel, 'waiting')).toBe('2 changes (2 pending events)')
    expect(fact(panel, 'problem')).toBe('server_error: The server failed.')
    expect(fact(panel, 'retry')).toMatch(/^2025-03-01 \d\d:00:05\.000$/)
    expect(fact(panel, 'engine')).toBe('engine-7')
  })

  it('lists the pending commits and the last push and pull with their answers', async () => {
    const panel = await renderSync({
      view: view({
        connection: 'online',
        pending: 3,
        pendingCommits: [
          { stream: 'Cart$c1', confirmed: 4, events: 2, types: ['Cart.ItemAdded', 'Cart.ItemRemoved'] },
          { stream: 'Order$o1', confirmed: -1, events: 1, types: ['Order.Placed'] },
        ],
        lastPush: { at: '2025-03-01T10:00:00.000Z', ok: false, summary: '2 commits: 1 accepted, 1 conflict' },
        lastPull: { at: '2025-03-01T10:00:01.000Z', ok: true, summary: 'after 9: 3 events, head 12' },
      }),
    })
    const rows = [...panel.querySelectorAll('.kd-pending tbody tr')].map((row) => text(row))
    expect(rows).toEqual(['Cart$c1 4 2 Cart.ItemAdded, Cart.ItemRemoved', 'Order$o1 none (-1) 1 Order.Placed'])
    expect(fact(panel, 'last-push')).toMatch(/· failed · 2 commits: 1 accepted, 1 conflict$/)
    expect(fact(panel, 'last-pull')).toMatch(/· ok · after 9: 3 events, head 12$/)
  })

  it('lists every dropped and rejected event with its reason, newest first, as text only', async () => {
    const panel = await renderSync({ view: view({ connection: 'online', reports: [dropped, hostile] }) })
    const rows = [...panel.querySelectorAll<HTMLElement>('.kd-reports tbody tr')]
    expect(rows.map((row) => row.dataset.eventId)).toEqual(['evt-rejected', 'evt-dropped'])
    expect(text(rows[1])).toContain('dropped Cart$c1 Cart.ItemQuantityUpdated evt-dropped conflict (Cart.ItemNotInCartError): That item (sencha) is no longer in the cart.')
    expect(text(rows[0])).toContain(`rejected Order$${HOSTILE} ${HOSTILE} evt-rejected invalid: ${HOSTILE}`)
    expect(panel.querySelector('img')).toBeNull()
    expect(window).not.toHaveProperty('__kirokuXss')
  })

  it('says so when signed out', async () => {
    const panel = await renderSync({ view: null })
    expect(text(panel)).toContain('Signed out: nothing syncs.')
    expect(panel.querySelector('button')).toBeNull()
  })

  it('asks the engine to sync now', async () => {
    const syncNow = vi.fn()
    const panel = await renderSync({ view: view({ connection: 'online' }), syncNow })
    await click(button(panel, 'Sync now'))
    expect(syncNow).toHaveBeenCalledOnce()
  })

  it('is a tab of the devtools panel when the app syncs, and not when it does not', async () => {
    const store = await openTestStore()
    const without = await renderPanel({ store })
    expect(() => button(without, 'Sync')).toThrow()
    const panel = await renderPanel({ store, sync: view({ connection: 'online', head: 3, cursor: 3 }) })
    await click(button(panel, 'Sync'))
    expect(fact(panel, 'state')).toBe('synced')
    const opened = await renderPanel({ store, sync: null, initialTab: 'sync' })
    expect(text(opened)).toContain('Signed out: nothing syncs.')
  })
})
