// The account screen (#/account) as a person uses it: labelled fields, messages tied to them,
// buttons that wait for the call, and a sign-out that asks first.
import { describe, expect, it, vi } from 'vitest'
import { SyncServerError, SyncUnreachableError } from '../../src/sync'
import { SYNCED, button, description, fakeAccount, fakeSync, field, mountApp, text, type } from './support'

const USER = { id: 'u1', email: 'aiko@example.com' }

/** Fills the form and presses a button, as a person would. */
async function fill(host: HTMLElement, email: string, password: string) {
  await expect.poll(() => button(host, 'Sign in')).not.toBeNull()
  type(field(host, 'Email'), email)
  type(field(host, 'Password'), password)
}

const alertText = (host: HTMLElement) => host.querySelector('#main [role="alert"]')?.textContent ?? ''

describe('the account screen, signed out', () => {
  it('has an Email and a Password field a browser can fill in, and Sign up and Sign in buttons', async () => {
    const { host } = await mountApp({ hash: '#/account' })
    await expect.poll(() => button(host, 'Sign up')).not.toBeNull()
    const email = field(host, 'Email')
    const password = field(host, 'Password')
    expect([email.type, email.autocomplete]).toEqual(['email', 'email'])
    expect([password.type, password.autocomplete]).toEqual(['password', 'current-password'])
    expect(description(password)).toBe('At least 8 characters.')
    expect(button(host, 'Sign in')!.type).toBe('submit')
  })

  it('signs in with what was typed, the buttons disabled while the call runs', async () => {
    const account = fakeAccount()
    let finish!: () => void
    account.signIn.mockImplementation(() => new Promise<void>((resolve) => (finish = resolve)))
    const { host } = await mountApp({ account, hash: '#/account' })
    await fill(host, ' aiko@example.com ', 'correct horse')
    button(host, 'Sign in')!.click()
    await expect.poll(() => account.signIn.mock.calls).toEqual([['aiko@example.com', 'correct horse']])
    await expect.poll(() => button(host, 'Sign up')!.getAttribute('aria-disabled')).toBe('true')
    expect(button(host, 'Sign in')!.getAttribute('aria-disabled')).toBe('true')
    expect(text(host)).toContain('Signing in…')
    // A second press while it runs asks nothing more.
    button(host, 'Sign up')!.click()
    expect(account.signUp).not.toHaveBeenCalled()
    finish()
    await expect.poll(() => button(host, 'Sign in')!.getAttribute('aria-disabled')).toBe('false')
  })

  it('signs up with the Sign up button', async () => {
    const account = fakeAccount()
    const { host } = await mountApp({ account, hash: '#/account' })
    await fill(host, 'aiko@example.com', 'correct horse')
    button(host, 'Sign up')!.click()
    await expect.poll(() => account.signUp.mock.calls).toEqual([['aiko@example.com', 'correct horse']])
    expect(account.signIn).not.toHaveBeenCalled()
  })

  it('says the email and password do not match an account, as an alert both fields point at', async () => {
    const account = fakeAccount()
    account.signIn.mockRejectedValue(new SyncServerError(401, 'bad_credentials', 'Wrong email or password.'))
    const { host } = await mountApp({ account, hash: '#/account' })
    await fill(host, 'aiko@example.com', 'not the one')
    button(host, 'Sign in')!.click()
    await expect.poll(() => alertText(host)).toBe('That email and password do not match an account.')
    expect(description(field(host, 'Email'))).toBe('That email and password do not match an account.')
    expect(description(field(host, 'Password'))).toContain('That email and password do not match an account.')
    expect(field(host, 'Password').getAttribute('aria-invalid')).toBe('true')
  })

  it('refuses a short password before asking the server, and says what a valid one is', async () => {
    const account = fakeAccount()
    const { host } = await mountApp({ account, hash: '#/account' })
    await fill(host, 'aiko@example.com', 'short')
    button(host, 'Sign up')!.click()
    await expect.poll(() => alertText(host)).toBe('Enter a valid email and a password of at least 8 characters.')
    expect(account.signUp).not.toHaveBeenCalled()
  })

  it.each([
    ['invalid', new SyncServerError(400, 'invalid', 'bad'), 'Enter a valid email and a password of at least 8 characters.', 'Email'],
    ['email_taken', new SyncServerError(409, 'email_taken', 'taken'), 'An account with this email already exists. Sign in instead, or use another email.', 'Email'],
    ['rate_limited', new SyncServerError(429, 'rate_limited', 'slow down'), 'Too many tries in a short time. Wait a minute, then try again.', null],
    ['unreachable', new SyncUnreachableError(), 'The sync server cannot be reached right now. Try again in a moment; meanwhile the shop keeps working on this device.', null],
  ])('says what a sign-up refused as %s means', async (_code, error, message, fieldLabel) => {
    const account = fakeAccount()
    account.signUp.mockRejectedValue(error)
    const { host } = await mountApp({ account, hash: '#/account' })
    await fill(host, 'aiko@example.com', 'correct horse')
    button(host, 'Sign up')!.click()
    await expect.poll(() => alertText(host)).toBe(message)
    if (fieldLabel) expect(description(field(host, fieldLabel))).toContain(message)
    else expect(description(host.querySelector('form')!)).toBe(message)
  })

  it('says signing in needs a connection when the browser is offline', async () => {
    const account = fakeAccount()
    account.signIn.mockRejectedValue(new SyncUnreachableError())
    const { host } = await mountApp({ account, hash: '#/account', online: false })
    await fill(host, 'aiko@example.com', 'correct horse')
    button(host, 'Sign in')!.click()
    await expect.poll(() => alertText(host)).toBe('You are offline. Signing in needs a connection; until then the shop keeps working on this device.')
  })
})

describe('the account screen, signed in', () => {
  it('says who is signed in and how sync is doing', async () => {
    const sync = fakeSync(SYNCED)
    const { host } = await mountApp({ account: fakeAccount(USER), sync, hash: '#/account' })
    await expect.poll(() => text(host)).toContain('Signed in as aiko@example.com')
    expect(text(host)).toContain('Everything on this device has reached the shop.')
    sync.set({ status: { ...SYNCED.status, pending: 2 } })
    await expect.poll(() => text(host)).toContain('2 changes wait to be sent to the shop.')
    button(host, 'Sync now')!.click()
    expect(sync.syncNow).toHaveBeenCalledOnce()
  })

  it('asks before signing out, saying how many changes would be lost, and signs out only on yes', async () => {
    const account = fakeAccount(USER)
    const sync = fakeSync({ status: { connection: 'offline', pending: 2 } })
    const confirm = vi.spyOn(window, 'confirm').mockReturnValue(false)
    const { host } = await mountApp({ account, sync, hash: '#/account' })
    await expect.poll(() => button(host, 'Sign out')).not.toBeNull()
    button(host, 'Sign out')!.click()
    expect(confirm).toHaveBeenCalledOnce()
    expect(confirm.mock.calls[0]![0]).toContain('2 changes have not reached the shop yet and will be lost from this device.')
    expect(account.signOut).not.toHaveBeenCalled()
    confirm.mockReturnValue(true)
    button(host, 'Sign out')!.click()
    await expect.poll(() => account.signOut).toHaveBeenCalledOnce()
  })

  it('shows the form again with the email filled in when the session ended, and signing in again syncs what waited', async () => {
    const account = fakeAccount(USER)
    const sync = fakeSync({ status: { connection: 'signed-out', pending: 3 } })
    const { host } = await mountApp({ account, sync, hash: '#/account' })
    await expect.poll(() => text(host)).toContain('Your session as aiko@example.com has ended. 3 changes wait on this device; sign in again and they are sent to the shop.')
    expect(field(host, 'Email').value).toBe('aiko@example.com')
    expect(button(host, 'Sign up')).toBeNull()
    type(field(host, 'Password'), 'correct horse')
    button(host, 'Sign in')!.click()
    await expect.poll(() => account.signIn.mock.calls).toEqual([['aiko@example.com', 'correct horse']])
    await expect.poll(() => text(host)).toContain('Signed in as aiko@example.com')
    expect(sync.syncNow).toHaveBeenCalled()
  })
})
