// A thin promise layer over raw IndexedDB for the store's hot paths. Dexie opens the database,
// owns its schema and runs the app's own tables; appends and reads use the IDBDatabase directly,
// so a command costs one transaction and no per-event promise.
import Dexie from 'dexie'
import {
  EventStoreError,
  StorageError,
  StorageQuotaExceededError,
  StoreClosedError,
  TransactionExpiredError,
} from '../errors'

export type Durability = 'default' | 'strict' | 'relaxed'

export function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result)
    // Not cancelled: a failed request aborts its transaction, which is what a failed append needs.
    req.onerror = () => reject(req.error)
  })
}

/**
 * Walks a cursor. `step` sees each position and says where to go: nothing to move to the next,
 * a key to jump to it, `false` to stop. Resolves once it stops or the cursor runs out.
 */
export function walk<C extends IDBCursor>(req: IDBRequest<C | null>, step: (cursor: C) => IDBValidKey | false | void): Promise<void> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => {
      const cursor = req.result
      if (!cursor) return resolve()
      const next = step(cursor)
      if (next === false) resolve()
      else if (next === undefined) cursor.continue()
      else cursor.continue(next)
    }
    req.onerror = () => reject(req.error)
  })
}

/**
 * Makes a request-backed promise, turning a synchronous throw (the transaction already ended)
 * into a rejection, so that in `Promise.all(ids.map(…))` no promise made before it is left
 * without a handler.
 */
export function attempt<T>(make: () => Promise<T>): Promise<T> {
  try {
    return make()
  } catch (error) {
    return Promise.reject(error)
  }
}

/** A failed write, with the index of the value that caused it. */
export class WriteFailure {
  constructor(readonly index: number, readonly error: DOMException | null) {}
}

/** Adds every value with one promise for the batch; resolves with their keys in order. */
export function addAll(store: IDBObjectStore, values: readonly unknown[]): Promise<IDBValidKey[]> {
  return new Promise((resolve, reject) => {
    const keys: IDBValidKey[] = new Array(values.length)
    let left = values.length
    if (left === 0) return resolve(keys)
    values.forEach((value, index) => {
      let req: IDBRequest<IDBValidKey>
      try {
        req = store.add(value)
      } catch (error) {
        // DataCloneError and TransactionInactiveError are thrown at once, not reported later.
        reject(new WriteFailure(index, error as DOMException))
        return
      }
      req.onsuccess = () => {
        keys[index] = req.result
        if (--left === 0) resolve(keys)
      }
      req.onerror = () => reject(new WriteFailure(index, req.error))
    })
  })
}

/**
 * Maps a raw IndexedDB (or Dexie) failure to a typed error, keeping the original as `cause`.
 * Errors that are not storage errors (the store's own, or an app's thrown inside a handler or a
 * transaction) pass through untouched.
 */
export function storageError(error: unknown): unknown {
  if (error instanceof EventStoreError) return error
  if (error instanceof WriteFailure) return storageError(error.error ?? new DOMException('The write failed.', 'UnknownError'))
  const name = (error as { name?: string } | null)?.name ?? 'UnknownError'
  const message = (error as { message?: string } | null)?.message ?? String(error)
  switch (name) {
    case 'QuotaExceededError':
      return new StorageQuotaExceededError({ cause: error })
    case 'TransactionInactiveError':
    case 'PrematureCommitError':
      return new TransactionExpiredError({ cause: error })
    case 'DatabaseClosedError':
      return new StoreClosedError({ cause: error })
    case 'InvalidStateError':
      return /clos/i.test(message) ? new StoreClosedError({ cause: error }) : new StorageError(name, message, { cause: error })
  }
  const isStorage = (typeof DOMException !== 'undefined' && error instanceof DOMException) || error instanceof Dexie.DexieError || error == null
  return isStorage ? new StorageError(name, message, { cause: error }) : error
}

/**
 * Runs `body` in a transaction. Resolves with its result once the transaction has committed;
 * if the body throws, the transaction is aborted and nothing it wrote stays.
 */
export function runTransaction<T>(
  db: IDBDatabase,
  stores: string[],
  mode: IDBTransactionMode,
  durability: Durability,
  body: (tx: IDBTransaction) => Promise<T>,
): Promise<T> {
  let tx: IDBTransaction
  try {
    tx = db.transaction(stores, mode, { durability })
  } catch (error) {
    return Promise.reject(storageError(error))
  }
  return new Promise<T>((resolve, reject) => {
    const outcome = body(tx).then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, error }),
    )
    void outcome.then((o) => {
      if (!o.ok) abortQuietly(tx)
    })
    tx.oncomplete = () => void outcome.then((o) => (o.ok ? resolve(o.value) : reject(storageError(o.error))))
    tx.onabort = () => void outcome.then((o) => reject(abortReason(tx, o.ok ? undefined : o.error)))
  })
}

/**
 * Why a transaction of the store's own aborted: the body's typed error (a wrong version, a
 * duplicate, a full disk…), else the transaction's error, else a plain "aborted". A request
 * refused because the transaction had already ended says nothing more than that.
 */
function abortReason(tx: IDBTransaction, bodyError: unknown): unknown {
  const fromBody = bodyError === undefined ? undefined : storageError(bodyError)
  const endedUnderUs =
    fromBody instanceof TransactionExpiredError ||
    (fromBody instanceof StorageError && ['InvalidStateError', 'AbortError', 'UnknownError'].includes(fromBody.storageErrorName))
  if (fromBody !== undefined && !endedUnderUs) return fromBody
  if (tx.error) return storageError(tx.error)
  return new StorageError('AbortError', 'the transaction was aborted before it committed (by the browser, or by closing the store); nothing of it was written')
}

export function abortQuietly(tx: IDBTransaction): void {
  try {
    tx.abort()
  } catch {
    // Already finished or aborting: nothing left to undo.
  }
}
