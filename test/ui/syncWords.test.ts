import { describe, expect, it } from 'vitest'
import { initialSyncStatus, syncStateOf, type SyncReport, type SyncStatus, type SyncView } from '../../src/sync'
import { describeReport, signOutQuestion, syncLabel, syncSentence, syncShortText } from '../../src/ui/syncWords'

const report = (patch: Partial<SyncReport>): SyncReport => ({
  at: '2025-03-01T10:00:00.000Z',
  kind: 'dropped',
  stream: 'Cart$c1',
  eventId: 'e1',
  type: 'Cart.ItemAdded',
  data: { cartId: 'c1' },
  reason: { code: 'conflict', message: '' },
  ...patch,
})

const view = (status: Partial<SyncStatus>, waiting = status.pending ?? 0, online = true): SyncView => {
  const full: SyncStatus = { ...initialSyncStatus, engine: 'e', ...status }
  return { status: full, waiting, online, state: syncStateOf(full, waiting, online) }
}

describe('describeReport: what became of a change, in plain words', () => {
  it('says another device removed the item when a quantity change found it gone', () => {
    const text = describeReport(
      report({
        type: 'Cart.ItemQuantityUpdated',
        data: { cartId: 'c1', itemId: 'sencha', quantity: 3 },
        reason: { code: 'conflict', message: 'That item (sencha) is no longer in the cart.', error: 'Cart.ItemNotInCartError' },
      }),
    )
    expect(text).toMatch(/^Another device removed Sencha green tea before this change reached the shop/)
    expect(text).toContain('to 3')
  })

  it('says the same of a removal, and that the item is out of the cart either way', () => {
    const text = describeReport(report({ type: 'Cart.ItemRemoved', data: { itemId: 'matcha' }, reason: { code: 'conflict', message: 'gone', error: 'Cart.ItemNotInCartError' } }))
    expect(text).toBe('Another device removed Ceremonial matcha before this change reached the shop. It is out of the cart either way.')
  })

  it('says an item was not added because another device checked the cart out, and how to get it back', () => {
    const text = describeReport(report({ type: 'Cart.ItemAdded', data: { itemId: 'bento', quantity: 1, price: 3200 }, reason: { code: 'conflict', message: 'checked out', error: 'Cart.CheckedOutError' } }))
    expect(text).toBe('Bento box was not added: another device checked out this cart before the change reached the shop. Add it again to put it in your new cart.')
  })

  it('says a coupon applied on two devices counts once', () => {
    const text = describeReport(report({ type: 'Cart.CouponApplied', data: { code: 'WELCOME500', discount: 500 }, reason: { code: 'conflict', message: 'already', error: 'Cart.CouponAlreadyAppliedError' } }))
    expect(text).toBe('The coupon WELCOME500 was already applied on another device; it counts once.')
  })

  it('says a rejected order was not placed, and why', () => {
    const orderId = '1a2b3c4d-0000-4000-8000-000000000000'
    expect(
      describeReport(report({ kind: 'rejected', stream: `Order$${orderId}`, type: 'Order.Placed', data: { orderId }, reason: { code: 'invalid', message: 'x', error: 'Cart.CheckedOutError' } })),
    ).toBe('Your order #1a2b3c4d was not placed: its cart had already been checked out on another device.')
    expect(
      describeReport(
        report({ kind: 'rejected', type: 'Order.Placed', data: { orderId }, reason: { code: 'invalid', message: `Order ${orderId} cannot be placed: the totals do not match the cart's.`, error: 'Order.InconsistentError' } }),
      ),
    ).toBe("Your order #1a2b3c4d was not placed: the totals do not match the cart's.")
  })

  it('says an order whose cart another device checked out first was not placed, without the cart’s id (the server sends no error name)', () => {
    const orderId = '1a2b3c4d-0000-4000-8000-000000000000'
    const message = `Order ${orderId} cannot be placed: cart e7c87e80-51b2-4ae5-bc6c-30ddad0eddc2 was checked out to another order.`
    const text = describeReport(report({ kind: 'rejected', stream: `Order$${orderId}`, type: 'Order.Placed', data: { orderId }, reason: { code: 'invalid', message } }))
    expect(text).toBe('Your order #1a2b3c4d was not placed: its cart had already been checked out on another device.')
  })

  it('says an order that met another device’s change was not placed, without naming streams', () => {
    const text = describeReport(
      report({ kind: 'rejected', stream: 'Order$o1', type: 'Order.Placed', data: { orderId: 'o1' }, reason: { code: 'conflict', message: 'Another device changed Order$o1 before this change reached the server.' } }),
    )
    expect(text).toBe('Your order #o1 was not placed: another device changed it first.')
  })

  it('says another device started a new cart first when a current-cart change lost', () => {
    const text = describeReport(report({ stream: 'Shopper$u1', type: 'Shopper.CartStarted', data: { shopperId: 'u1', cartId: 'c2', previousCartId: 'c1' }, reason: { code: 'conflict', message: 'changed', error: 'Shopper.CurrentCartChangedError' } }))
    expect(text).toMatch(/^Another device started a new cart first/)
  })

  it('says the shop refused a change to another account’s data', () => {
    const text = describeReport(report({ kind: 'rejected', type: 'Cart.ItemAdded', data: { itemId: 'fan' }, reason: { code: 'forbidden', message: 'The stream belongs to another user.' } }))
    expect(text).toBe('The shop refused adding Uchiwa fan: this account may not change that data. It was not saved in the shop.')
  })

  it('falls back on the reason’s message for anything else, dropped or rejected', () => {
    expect(describeReport(report({ type: 'Cart.ItemAdded', data: { itemId: 'hashi' }, reason: { code: 'invalid', message: 'hashi costs 700 yen in the catalog, not 1' } }))).toBe(
      'Adding Chopsticks was dropped: hashi costs 700 yen in the catalog, not 1.',
    )
    expect(describeReport(report({ kind: 'rejected', type: 'Thing.Happened', data: 'odd', reason: { code: 'unknown_type', message: 'Unknown event type.' } }))).toBe(
      'The shop refused a change (Thing.Happened): Unknown event type.',
    )
  })

  it('names an item missing from the catalog by its id, as text', () => {
    const text = describeReport(report({ type: 'Cart.ItemRemoved', data: { itemId: '<b>x</b>' }, reason: { code: 'conflict', message: '', error: 'Cart.ItemNotInCartError' } }))
    expect(text).toBe('Another device removed "<b>x</b>" before this change reached the shop. It is out of the cart either way.')
  })
})

describe('syncLabel: the sync indicator’s name', () => {
  it('names every state, and never says synced while a change waits', () => {
    expect(syncLabel(null)).toBe('Sync: signed out')
    expect(syncLabel(view({ connection: 'online', head: 5, cursor: 5 }))).toBe('Sync: synced')
    expect(syncLabel(view({ connection: 'online', head: 5, cursor: 5 }, 1))).toBe('Sync: 1 change waiting')
    expect(syncLabel(view({ connection: 'unreachable', pending: 3 }))).toBe('Sync: 3 changes waiting')
    expect(syncLabel(view({ connection: 'online' }, 0, false))).toBe('Sync: offline')
    expect(syncLabel(view({ connection: 'offline', pending: 2 }))).toBe('Sync: offline, 2 changes waiting')
    expect(syncLabel(view({ connection: 'connecting' }))).toBe('Sync: connecting')
    expect(syncLabel(view({ connection: 'online', problem: { code: 'forbidden', message: 'no' } }))).toBe('Sync: problem – the server refused this account')
    expect(syncLabel(view({ connection: 'signed-out', pending: 1 }))).toBe('Sync: problem – signed out, sign in again')
  })

  it('says a refused size may be the account being full', () => {
    const problem = { code: 'too_large', message: "This account's storage is full: nothing of it was stored." }
    expect(syncLabel(view({ connection: 'online', problem }, 2))).toBe('Sync: problem – too large to send, or the account is full')
  })

  it('says a change that the app could not check is kept, not lost', () => {
    const problem = { code: 'check_failed', message: 'TypeError: boom (stream Cart$c1): its changes are kept and not sent' }
    expect(syncLabel(view({ connection: 'online', problem }, 1))).toBe('Sync: problem – a change could not be checked; it is kept')
  })

  it('keeps the visible text short', () => {
    expect(syncShortText(view({ connection: 'offline', pending: 2 }))).toBe('Offline · 2 waiting')
    expect(syncShortText(view({ connection: 'online', head: 1, cursor: 1 }))).toBe('Synced')
  })

  it('says in a sentence what an ended session means for the changes waiting', () => {
    expect(syncSentence(view({ connection: 'signed-out', pending: 2 }))).toBe('Your session has ended. 2 changes wait on this device; sign in again to send them.')
    expect(syncSentence(view({ connection: 'online', head: 1, cursor: 1 }))).toBe('Everything on this device has reached the shop.')
  })
})

describe('signOutQuestion', () => {
  it('says how many changes will be lost from this device', () => {
    expect(signOutQuestion('a@example.com', 2)).toContain('2 changes have not reached the shop yet and will be lost from this device.')
    expect(signOutQuestion('a@example.com', 1)).toContain('1 change has not reached the shop yet')
    expect(signOutQuestion('a@example.com', 0)).not.toContain('lost')
  })
})
