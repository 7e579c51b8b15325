// Who is signed in on this device, and moving between the signed-out shop and an account's. Each
// account has its own database (`kiroku-shop~<user id>`), so another account on this browser never
// sees its events; the signed-out shop keeps `kiroku-shop`. Which one a page opens is remembered in
// localStorage, and every tab follows a change of it.
import { AccountClient, type User } from '../sync'
import type { Shop } from './Shop'
import type { AccountSession } from './ShopContext'

export const SIGNED_OUT_DATABASE = 'kiroku-shop'
const ACCOUNT_KEY = 'kiroku:account'
const MERGE_KEY = 'kiroku:merge'

/** The database of an account's data on this device (or of the signed-out shop). */
export const databaseOf = (user: User | null): string => (user ? `${SIGNED_OUT_DATABASE}~${user.id}` : SIGNED_OUT_DATABASE)

/** The account this device is signed in to, as last remembered (null: signed out). */
export function rememberedUser(): User | null {
  try {
    const value = JSON.parse(localStorage.getItem(ACCOUNT_KEY) ?? 'null') as Partial<User> | null
    return typeof value?.id === 'string' && typeof value.email === 'string' ? { id: value.id, email: value.email } : null
  } catch {
    return null
  }
}

/** Lines of the signed-out cart that wait to be added to an account's cart. */
export interface CartMerge {
  userId: string
  lines: Array<{ itemId: string; quantity: number }>
}

export function pendingMerge(user: User): CartMerge | null {
  try {
    const merge = JSON.parse(localStorage.getItem(MERGE_KEY) ?? 'null') as CartMerge | null
    return merge?.userId === user.id && Array.isArray(merge.lines) ? merge : null
  } catch {
    return null
  }
}

export const clearMerge = (): void => localStorage.removeItem(MERGE_KEY)

/** Reloads this tab when another tab signs in or out (its page shows another database now). */
export function followAccountChanges(reload: () => void = () => window.location.reload()): () => void {
  const onStorage = (event: StorageEvent) => {
    if (event.key === ACCOUNT_KEY) reload()
  }
  window.addEventListener('storage', onStorage)
  return () => window.removeEventListener('storage', onStorage)
}

export interface BrowserAccountOptions {
  user: User | null
  shop: Shop
  client?: AccountClient
  /** Opens the page again on the remembered account's database. */
  reload?: () => void
}

export class BrowserAccountSession implements AccountSession {
  readonly user: User | null
  private readonly client: AccountClient
  private readonly reload: () => void

  constructor(private readonly options: BrowserAccountOptions) {
    this.user = options.user
    this.client = options.client ?? new AccountClient()
    this.reload = options.reload ?? (() => window.location.reload())
  }

  async signUp(email: string, password: string): Promise<void> {
    await this.enter(await this.client.signUp(email, password))
  }

  async signIn(email: string, password: string): Promise<void> {
    await this.enter(await this.client.signIn(email, password))
  }

  async signOut(): Promise<void> {
    const user = this.user
    if (!user) return
    // Offline, the server's session lives on until it expires; this device forgets it all the same.
    await this.client.signOut().catch(() => undefined)
    this.options.shop.close()
    localStorage.removeItem(ACCOUNT_KEY)
    clearMerge()
    await deleteDatabase(databaseOf(user))
    this.reload()
  }

  /**
   * Signed in again to the same account (the session had expired): the page goes on and sync
   * pushes what waited. Another account: its database opens, with this device's signed-out cart
   * taken along (its lines are added to the account's current cart once it is pulled).
   */
  private async enter(user: User): Promise<void> {
    if (this.user?.id === user.id) {
      // The new session's cookie is the browser's now: sync goes on with what waited.
      this.options.shop.sync?.syncNow()
      return
    }
    if (this.user === null) {
      const { lines } = this.options.shop.cart.getState()
      if (lines.length > 0) {
        const merge: CartMerge = { userId: user.id, lines: lines.map(({ itemId, quantity }) => ({ itemId, quantity })) }
        localStorage.setItem(MERGE_KEY, JSON.stringify(merge))
        // They move to the account: the signed-out cart starts afresh, so signing out later does not bring them back.
        await this.options.shop.startNewCart()
      }
    }
    localStorage.setItem(ACCOUNT_KEY, JSON.stringify(user))
    this.options.shop.close()
    this.reload()
  }
}

function deleteDatabase(name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.deleteDatabase(name)
    request.onsuccess = () => resolve()
    request.onerror = () => reject(request.error)
    // Another tab still has it open: it closes on the versionchange this sends, then this succeeds.
    request.onblocked = () => undefined
  })
}
