// Signing up, in, and out. Signed out, the shop works on this device alone; an account makes the
// same cart and orders follow the person to every device they sign in on.
import { useEffect, useState, type FormEvent } from 'react'
import { SyncServerError, SyncUnreachableError } from '../../sync'
import { useUnexpectedError } from '../errors'
import { useAccount, useServices, useSync, useValue } from '../ShopContext'
import { signOutQuestion, syncSentence } from '../syncWords'

type Action = 'signIn' | 'signUp'
type Field = 'email' | 'password'

/** What the form says went wrong, and which fields it is about. */
interface FormError {
  message: string
  fields: Field[]
}

const INVALID = 'Enter a valid email and a password of at least 8 characters.'

/** A failure the person can act on, in words; null for one they cannot (it goes to the error screen). */
function formErrorOf(error: unknown, online: boolean): FormError | null {
  if (error instanceof SyncUnreachableError)
    return {
      message: online
        ? 'The sync server cannot be reached right now. Try again in a moment; meanwhile the shop keeps working on this device.'
        : 'You are offline. Signing in needs a connection; until then the shop keeps working on this device.',
      fields: [],
    }
  if (!(error instanceof SyncServerError)) return null
  switch (error.code) {
    case 'invalid':
      return { message: INVALID, fields: ['email', 'password'] }
    case 'email_taken':
      return { message: 'An account with this email already exists. Sign in instead, or use another email.', fields: ['email'] }
    case 'bad_credentials':
      return { message: 'That email and password do not match an account.', fields: ['email', 'password'] }
    case 'rate_limited':
      return { message: 'Too many tries in a short time. Wait a minute, then try again.', fields: [] }
    default:
      return { message: `The sync server said no: ${error.message}`, fields: [] }
  }
}

/** What can be told before asking the server. */
function checkFields(action: Action, email: string, password: string): FormError | null {
  const empty = [...(email.trim() ? [] : ['email' as const]), ...(password ? [] : ['password' as const])]
  if (empty.length > 0) return { message: action === 'signUp' ? INVALID : 'Enter your email and password.', fields: empty }
  if (action === 'signUp' && (!/^[^\s@]+@[^\s@]+$/.test(email.trim()) || password.length < 8)) return { message: INVALID, fields: ['email', 'password'] }
  return null
}

const PENDING: Record<Action, string> = { signIn: 'Signing in…', signUp: 'Creating your account…' }

interface AccountFormProps {
  actions: readonly [Action, ...Action[]]
  initialEmail?: string
  onDone?: () => void
}

function AccountForm({ actions, initialEmail = '', onDone }: AccountFormProps) {
  const account = useAccount()
  const online = useValue(useServices().online)
  const unexpected = useUnexpectedError()
  const [email, setEmail] = useState(initialEmail)
  const [password, setPassword] = useState('')
  const [running, setRunning] = useState<Action | null>(null)
  const [error, setError] = useState<FormError | null>(null)

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    if (running) return
    const submitter = (event.nativeEvent as SubmitEvent).submitter
    const action = actions.find((a) => a === submitter?.dataset.action) ?? actions[0]
    const refused = checkFields(action, email, password)
    setError(refused)
    if (refused) return
    setRunning(action)
    try {
      await (action === 'signUp' ? account.signUp(email.trim(), password) : account.signIn(email.trim(), password))
      setPassword('')
      onDone?.()
    } catch (failure) {
      const shown = formErrorOf(failure, online)
      if (shown) setError(shown)
      else unexpected(failure)
    } finally {
      setRunning(null)
    }
  }

  const describedBy = (field: Field, hint?: string) => [hint, error?.fields.includes(field) ? 'account-error' : undefined].filter(Boolean).join(' ') || undefined
  const invalid = (field: Field) => (error?.fields.includes(field) ? true : undefined)

  return (
    <form className="account-form" onSubmit={(e) => void submit(e)} noValidate aria-describedby={error && error.fields.length === 0 ? 'account-error' : undefined}>
      <div className="field">
        <label htmlFor="account-email">Email</label>
        <input
          id="account-email"
          type="email"
          name="email"
          autoComplete="email"
          inputMode="email"
          spellCheck={false}
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          aria-invalid={invalid('email')}
          aria-describedby={describedBy('email')}
        />
      </div>
      <div className="field">
        <label htmlFor="account-password">Password</label>
        <input
          id="account-password"
          type="password"
          name="password"
          autoComplete={actions.includes('signUp') && !actions.includes('signIn') ? 'new-password' : 'current-password'}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          aria-invalid={invalid('password')}
          aria-describedby={describedBy('password', 'account-password-hint')}
        />
        <p className="hint" id="account-password-hint">
          At least 8 characters.
        </p>
      </div>
      {error && (
        <p className="field-error" id="account-error" role="alert">
          {error.message}
        </p>
      )}
      <div className="actions">
        {actions.map((action, i) => (
          // aria-disabled, not disabled: a disabled button drops the keyboard focus it has.
          <button key={action} type="submit" data-action={action} className={i === 0 ? 'primary' : undefined} aria-disabled={running !== null}>
            {action === 'signIn' ? 'Sign in' : 'Sign up'}
          </button>
        ))}
      </div>
      <p className="hint" role="status">
        {running ? PENDING[running] : ''}
      </p>
    </form>
  )
}

function SignOutButton({ email, waiting }: { email: string; waiting: number }) {
  const account = useAccount()
  const [running, setRunning] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const signOut = async () => {
    if (running || !window.confirm(signOutQuestion(email, waiting))) return
    setRunning(true)
    setError(null)
    try {
      await account.signOut()
    } catch (failure) {
      const reason = failure instanceof Error ? failure.message : String(failure)
      setError(`Signing out did not finish (${reason}). This device still holds the account's data; try again.`)
    } finally {
      setRunning(false)
    }
  }
  return (
    <div className="sign-out">
      <button type="button" onClick={() => void signOut()} aria-disabled={running}>
        Sign out
      </button>
      {running && <p className="hint">Signing out…</p>}
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </div>
  )
}

export function AccountScreen() {
  const { user } = useAccount()
  const sync = useServices().sync
  const view = useSync()
  // Signed in again after the session ended: shown as signed in until the engine hears of it.
  const [renewed, setRenewed] = useState(false)
  const expired = view?.state === 'signed-out'
  useEffect(() => {
    if (!expired) setRenewed(false)
  }, [expired])

  if (user === null)
    return (
      <section aria-labelledby="account-title">
        <h1 id="account-title">Account</h1>
        <p>
          Signed out, the shop keeps your cart and orders on this device only. Sign in, or sign up, to have them on all your devices: what is in your cart now goes
          into your account’s cart.
        </p>
        <AccountForm actions={['signIn', 'signUp']} />
      </section>
    )

  const waiting = view?.waiting ?? 0
  if (expired && !renewed)
    return (
      <section aria-labelledby="account-title">
        <h1 id="account-title">Sign in again</h1>
        <p>
          Your session as {user.email} has ended.{' '}
          {waiting > 0
            ? `${waiting === 1 ? '1 change waits' : `${waiting} changes wait`} on this device; sign in again and they are sent to the shop.`
            : 'Changes you make wait on this device until you sign in again.'}
        </p>
        <AccountForm
          actions={['signIn']}
          initialEmail={user.email}
          onDone={() => {
            setRenewed(true)
            sync?.syncNow()
          }}
        />
        <SignOutButton email={user.email} waiting={waiting} />
      </section>
    )

  return (
    <section aria-labelledby="account-title">
      <h1 id="account-title">Account</h1>
      <p>
        Signed in as <strong>{user.email}</strong>
      </p>
      <p>{renewed && expired ? 'Signed in again: sync goes on in a moment.' : syncSentence(view)}</p>
      <div className="actions">
        {sync && (
          <button type="button" onClick={() => sync.syncNow()}>
            Sync now
          </button>
        )}
        <SignOutButton email={user.email} waiting={waiting} />
      </div>
    </section>
  )
}
