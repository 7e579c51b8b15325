// Sync in plain words: the header's indicator, the account screen's sentence, and what became of
// a change the shop did not take. Pure functions, so every wording is tested without a page.
import { MAX_QUANTITY, productById } from '../domain'
import type { SyncReport, SyncView } from '../sync'

/** "1 change waiting", "3 changes waiting". */
export const changesWaiting = (n: number): string => `${n} ${n === 1 ? 'change' : 'changes'} waiting`

/** Why sync stops, in a few words (the indicator's name ends with it). */
export function problemWords(view: SyncView): string {
  if (view.state === 'signed-out') return 'signed out, sign in again'
  const problem = view.status.problem
  if (!problem) return 'sync stopped'
  switch (problem.code) {
    case 'forbidden':
      return 'the server refused this account'
    case 'unauthenticated':
      return 'signed out, sign in again'
    case 'bad_origin':
      return 'the server refused this page'
    case 'too_large':
      // 413 says either: a body past 1 MiB, or an account whose storage is full (nothing was stored).
      return 'too large to send, or the account is full'
    case 'check_failed':
      return 'a change could not be checked; it is kept'
    default:
      return cut(problem.message || problem.code, 60)
  }
}

/**
 * The sync indicator's accessible name: "Sync: signed out", "Sync: synced", "Sync: 3 changes
 * waiting", "Sync: offline" (", 3 changes waiting"), "Sync: connecting" or "Sync: problem – …".
 * It follows `view.state`, which never says synced while anything waits.
 */
export function syncLabel(view: SyncView | null): string {
  if (view === null) return 'Sync: signed out'
  switch (view.state) {
    case 'synced':
      return 'Sync: synced'
    case 'waiting':
      return `Sync: ${changesWaiting(view.waiting)}`
    case 'offline':
      return view.waiting > 0 ? `Sync: offline, ${changesWaiting(view.waiting)}` : 'Sync: offline'
    case 'connecting':
      return 'Sync: connecting'
    case 'problem':
    case 'signed-out':
      return `Sync: problem – ${problemWords(view)}`
  }
}

/** The indicator's visible text: short, the name carries the rest. */
export function syncShortText(view: SyncView | null): string {
  if (view === null) return 'Signed out'
  switch (view.state) {
    case 'synced':
      return 'Synced'
    case 'waiting':
      return `${view.waiting} waiting`
    case 'offline':
      return view.waiting > 0 ? `Offline · ${view.waiting} waiting` : 'Offline'
    case 'connecting':
      return 'Connecting'
    case 'problem':
      return 'Sync problem'
    case 'signed-out':
      return 'Signed out'
  }
}

/** The sync state as a sentence, for the account screen. */
export function syncSentence(view: SyncView | null): string {
  if (view === null) return 'Connecting to the sync server…'
  const waiting = view.waiting === 1 ? '1 change waits' : `${view.waiting} changes wait`
  switch (view.state) {
    case 'synced':
      return 'Everything on this device has reached the shop.'
    case 'waiting':
      return view.status.connection === 'unreachable'
        ? `The sync server cannot be reached right now; ${waiting} on this device and will be sent when it answers.`
        : `${capitalize(waiting)} to be sent to the shop.`
    case 'offline':
      return view.waiting > 0 ? `Offline: ${waiting} on this device and will be sent when you are online again.` : 'Offline: changes you make wait on this device until you are online again.'
    case 'connecting':
      return view.status.connection === 'unreachable' ? 'The sync server cannot be reached right now; trying again.' : 'Connecting to the sync server…'
    case 'problem':
      return `Sync has stopped: ${sentence(view.status.problem?.message ?? problemWords(view))} Your changes are kept on this device.`
    case 'signed-out':
      return `Your session has ended. ${view.waiting > 0 ? `${capitalize(waiting)} on this device; sign in again to send them.` : 'Sign in again to go on syncing.'}`
  }
}

/** What became of a change the shop did not take, for a person: what happened, and what it means. */
export function describeReport(report: SyncReport): string {
  const data = (report.data !== null && typeof report.data === 'object' ? report.data : {}) as Record<string, unknown>
  const item = productName(data.itemId)
  const order = orderName(data.orderId)
  const error = report.reason.error
  const change = changeOf(report.type, data)

  if (report.reason.code === 'forbidden') return `The shop refused ${change}: this account may not change that data. It was not saved in the shop.`

  if (report.type === 'Order.Placed') return `Your order${order} was not placed: ${orderReason(report)}`
  if (report.type === 'Order.Completed') return `${order ? `Order${order}` : 'An order'} was not completed: ${orderReason(report)}`

  if (report.type === 'Shopper.CartStarted' || error === 'Shopper.CurrentCartChangedError')
    return 'Another device started a new cart first, so this device goes on with that one. Nothing in your carts was lost.'

  switch (error) {
    case 'Cart.ItemNotInCartError':
      if (report.type === 'Cart.ItemQuantityUpdated') {
        const quantity = typeof data.quantity === 'number' ? ` to ${data.quantity}` : ''
        return `Another device removed ${item} before this change reached the shop, so its quantity was not changed${quantity}.`
      }
      if (report.type === 'Cart.ItemRemoved') return `Another device removed ${item} before this change reached the shop. It is out of the cart either way.`
      return `Another device removed ${item} before this change reached the shop.`
    case 'Cart.CheckedOutError':
      if (report.type === 'Cart.ItemAdded')
        return `${capitalize(item)} was not added: another device checked out this cart before the change reached the shop. Add it again to put it in your new cart.`
      return `${capitalize(change)} did not happen: another device checked out this cart before the change reached the shop.`
    case 'Cart.CouponAlreadyAppliedError': {
      const code = typeof data.code === 'string' ? `The coupon ${data.code}` : 'That coupon'
      return `${code} was already applied on another device; it counts once.`
    }
    case 'Cart.InvalidQuantityError':
      if (item !== 'an item') return `${capitalize(change)} did not happen: with the changes from your other devices, the cart would hold more than ${MAX_QUANTITY} of it.`
      break
  }

  const message = report.reason.code === 'conflict' && !report.reason.error ? 'another device changed the same thing first.' : sentence(report.reason.message || report.reason.code)
  return report.kind === 'dropped' ? `${capitalize(change)} was dropped: ${message}` : `The shop refused ${change}: ${message}`
}

/** The change an event made, as a phrase: "adding Sencha green tea", "the coupon WELCOME500". */
function changeOf(type: string, data: Record<string, unknown>): string {
  const item = productName(data.itemId)
  switch (type) {
    case 'Cart.ItemAdded':
      return `adding ${item}`
    case 'Cart.ItemQuantityUpdated':
      return typeof data.quantity === 'number' ? `changing ${item} to ${data.quantity}` : `changing the quantity of ${item}`
    case 'Cart.ItemRemoved':
      return `removing ${item}`
    case 'Cart.CouponApplied':
      return typeof data.code === 'string' ? `the coupon ${data.code}` : 'a coupon'
    case 'Cart.CheckedOut':
      return 'checking out'
    case 'Order.Placed':
      return `your order${orderName(data.orderId)}`
    case 'Order.Completed':
      return orderName(data.orderId) ? `completing order${orderName(data.orderId)}` : 'completing an order'
    case 'Shopper.CartStarted':
      return 'starting a new cart'
    default:
      return `a change (${type})`
  }
}

function orderReason(report: SyncReport): string {
  switch (report.reason.error) {
    case 'Cart.CheckedOutError':
      return 'its cart had already been checked out on another device.'
    case 'Order.AlreadyPlacedError':
      return 'it had already been placed.'
    case 'Cart.EmptyCartError':
      return 'its cart was empty by the time it reached the shop.'
  }
  // The engine's conflict message names the stream: people know it as "another device".
  if (report.reason.code === 'conflict' && !report.reason.error) return 'another device changed it first.'
  // The server's words for a cart another device checked out first (it sends no error name), without the cart's id.
  if (/cart \S+ was checked out to another order/.test(report.reason.message)) return 'its cart had already been checked out on another device.'
  if (/cart \S+ was not checked out/.test(report.reason.message)) return 'its cart was not checked out when it reached the shop.'
  // The domain's "Order … cannot be placed: why." says the first half already.
  const why = /cannot be placed: (.+)$/.exec(report.reason.message)?.[1] ?? report.reason.message
  return sentence(lowerFirst(why || report.reason.code))
}

/** A product's name as people say it ("Sencha green tea", not "Sencha green tea, 100 g"). */
function productName(itemId: unknown): string {
  if (typeof itemId !== 'string') return 'an item'
  return productById(itemId)?.name.split(',')[0] ?? `"${itemId}"`
}

/** " #1a2b3c4d" (with its leading space, as the orders list shows it), or nothing without an id. */
const orderName = (orderId: unknown): string => (typeof orderId === 'string' && orderId ? ` #${orderId.slice(0, 8)}` : '')

const capitalize = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1)

const lowerFirst = (text: string): string => (/^[A-Z][a-z]/.test(text) ? text.charAt(0).toLowerCase() + text.slice(1) : text)

/** Ends the text with a full stop (unless it already ends a sentence). */
const sentence = (text: string): string => (/[.!?…]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`)

const cut = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text)

/** What signing out asks first: what it deletes from this device, and what is lost with it. */
export function signOutQuestion(email: string, waiting: number): string {
  const lost =
    waiting > 0
      ? ` ${waiting === 1 ? '1 change has' : `${waiting} changes have`} not reached the shop yet and will be lost from this device.`
      : ' Everything on this device has reached the shop and stays in your account.'
  return `Sign out of ${email}? This device's copy of the account's cart and orders will be deleted.${lost}`
}
