// The header: who is signed in, the sync indicator's name in every state, and the notice of
// changes the shop did not take.
import { describe, expect, it } from 'vitest'
import { SYNCED, button, fakeAccount, fakeSync, indicator, mountApp, report, text } from './support'

const USER = { id: 'u1', email: 'aiko@example.com' }
const label = (host: HTMLElement) => indicator(host)?.getAttribute('aria-label')
const headerLink = (host: HTMLElement, name: string) => [...host.querySelectorAll<HTMLAnchorElement>('header a')].find((a) => a.textContent === name) ?? null

describe('the header', () => {
  it('signed out: "Sync: signed out" and a Sign in link to the account screen', async () => {
    const { host } = await mountApp()
    await expect.poll(() => label(host)).toBe('Sync: signed out')
    expect(headerLink(host, 'Sign in')?.getAttribute('href')).toBe('#/account')
  })

  it('signed in: the email links to the account screen', async () => {
    const { host } = await mountApp({ account: fakeAccount(USER), sync: fakeSync(SYNCED) })
    await expect.poll(() => headerLink(host, 'Signed in as aiko@example.com')?.getAttribute('href')).toBe('#/account')
  })

  it('names the sync state as it moves: connecting, synced, changes waiting, offline, a problem', async () => {
    const sync = fakeSync({ status: { connection: 'connecting' } })
    const { host } = await mountApp({ account: fakeAccount(USER), sync })
    await expect.poll(() => label(host)).toBe('Sync: connecting')
    sync.set(SYNCED)
    await expect.poll(() => label(host)).toBe('Sync: synced')
    expect(indicator(host)!.textContent).toContain('Synced')
    sync.set({ status: { ...SYNCED.status, pending: 1 } })
    await expect.poll(() => label(host)).toBe('Sync: 1 change waiting')
    sync.set({ status: { connection: 'unreachable', pending: 3 } })
    await expect.poll(() => label(host)).toBe('Sync: 3 changes waiting')
    sync.set({ status: { ...SYNCED.status, pending: 3 }, online: false })
    await expect.poll(() => label(host)).toBe('Sync: offline, 3 changes waiting')
    sync.set({ status: SYNCED.status, online: false })
    await expect.poll(() => label(host)).toBe('Sync: offline')
  })

  it('never says synced while a change of this tab waits that the engine has not counted yet', async () => {
    const sync = fakeSync({ ...SYNCED, waiting: 1 })
    const { host } = await mountApp({ account: fakeAccount(USER), sync })
    await expect.poll(() => label(host)).toBe('Sync: 1 change waiting')
  })

  it('links a problem to the devtools’ Sync view, and an ended session to the account screen', async () => {
    const sync = fakeSync({ status: { connection: 'online', problem: { code: 'forbidden', message: 'Not yours.' } } })
    const { host } = await mountApp({ account: fakeAccount(USER), sync })
    await expect.poll(() => label(host)).toBe('Sync: problem – the server refused this account')
    expect(headerLink(host, 'See what happened')?.getAttribute('href')).toBe('#/devtools/sync')
    sync.set({ status: { connection: 'signed-out', pending: 2 } })
    await expect.poll(() => label(host)).toBe('Sync: problem – signed out, sign in again')
    expect(headerLink(host, 'Sign in again')?.getAttribute('href')).toBe('#/account')
  })
})

describe('the notice of changes the shop did not take', () => {
  const dropped = report({ id: 1 })
  const rejected = report({
    id: 2,
    kind: 'rejected',
    stream: 'Order$1a2b3c4d-0000',
    type: 'Order.Placed',
    data: { orderId: '1a2b3c4d-0000' },
    reason: { code: 'invalid', message: 'x', error: 'Cart.CheckedOutError' },
  })
  const notice = (host: HTMLElement) => host.querySelector('.sync-notice')

  it('explains each in plain words until dismissed, and after that shows only newer ones', async () => {
    const sync = fakeSync({ status: { ...SYNCED.status, reports: [dropped] } })
    const { host } = await mountApp({ account: fakeAccount(USER), sync })
    await expect.poll(() => notice(host)?.textContent).toContain('Another device removed Sencha green tea before this change reached the shop')
    expect(notice(host)!.getAttribute('role')).toBe('alert')
    button(host, 'Dismiss')!.click()
    await expect.poll(() => notice(host)).toBeNull()
    sync.set({ status: { ...SYNCED.status, reports: [dropped, rejected] } })
    await expect.poll(() => notice(host)?.textContent).toContain('Your order #1a2b3c4d was not placed: its cart had already been checked out on another device.')
    expect(notice(host)!.textContent).not.toContain('Sencha')
  })

  it('remembers what was dismissed for the next visit', async () => {
    const sync = fakeSync({ status: { ...SYNCED.status, reports: [dropped] } })
    const first = await mountApp({ account: fakeAccount(USER), sync })
    await expect.poll(() => button(first.host, 'Dismiss')).not.toBeNull()
    button(first.host, 'Dismiss')!.click()
    await expect.poll(() => notice(first.host)).toBeNull()
    const again = await mountApp({ account: fakeAccount(USER), sync: fakeSync({ status: { ...SYNCED.status, reports: [dropped] } }) })
    await expect.poll(() => label(again.host)).toBe('Sync: synced')
    expect(notice(again.host)).toBeNull()
    expect(text(again.host)).not.toContain('Another device removed')
  })
})
