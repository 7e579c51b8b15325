// Browsers have no async context, so "the metadata of this call" travels in a Scope on a scoped
// store (the one withMetadata, transaction and every handler hand out), never ambiently: an
// ambient stack would lend one caller's metadata to whatever else runs while it awaits. Only
// transaction membership is found ambiently, through Dexie's zone, which follows the awaits of
// the code inside the transaction and nothing else.
import Dexie from 'dexie'
import type { Metadata, RecordedEvent } from '../events'
import { TransactionCommittedEarlyError, TransactionExpiredError } from '../errors'
import { abortQuietly, storageError } from '../storage'

export interface Scope {
  readonly metadata: Metadata
  readonly tx: TxContext | null
}

export const ROOT_SCOPE: Scope = Object.freeze({ metadata: Object.freeze({}), tx: null })

// Dexie keeps "the current transaction" in a zone (PSD) that follows its own promises. The store
// works on the raw IDBTransaction, so it hands results back as Dexie promises made inside that
// zone; then the app's `db.table(…)` calls after `await tx.publish(…)` still join the transaction.
type Zone = object
const DexiePromise = Dexie.Promise as unknown as {
  PSD: Zone
  usePSD<T>(zone: Zone, fn: () => T): T
  new <T>(executor: (resolve: (value: T) => void, reject: (error: unknown) => void) => void): Promise<T>
}

/** One `store.transaction(fn)`: its IndexedDB transaction and the events recorded in it so far. */
export class TxContext {
  readonly recorded: RecordedEvent[] = []
  /** Events were taken out of the log in it (truncateStream): its commit says so to the change feed. */
  rewritten = false
  private finished = false
  private readonly zone: Zone = DexiePromise.PSD

  private notified = false
  private readonly afterCommitQueue: Array<() => Promise<void>> = []
  /** The transaction's callback has not settled yet. */
  private running = false
  /** IndexedDB committed while the callback was still running: it was not all-or-nothing. */
  committedEarly = false

  constructor(
    readonly idbtrans: IDBTransaction,
    private readonly onCommit: (events: RecordedEvent[], rewritten: boolean) => void,
    private readonly reportError: (error: unknown) => void,
  ) {
    // The IndexedDB events themselves say whether it committed, whatever the caller awaited.
    idbtrans.addEventListener('complete', () => {
      if (this.running) this.committedEarly = true
      this.committed()
    })
    idbtrans.addEventListener('abort', () => {
      this.finished = true
    })
  }

  /**
   * Tells the commit listeners, once. Called from the 'complete' event and again by whoever saw
   * the commit first (Dexie's promise may resume its awaiter before this listener runs).
   */
  committed(): void {
    this.finished = true
    if (this.notified) return
    this.notified = true
    if (this.recorded.length || this.rewritten) this.onCommit(this.recorded, this.rewritten)
    // In order, one after another, as they were published.
    void this.afterCommitQueue.reduce((chain, run) => chain.then(run).catch(this.reportError), Promise.resolve())
  }

  /** Calls the transaction's callback, noting while it runs so an early commit can be told apart. */
  run<T>(fn: () => T): T {
    this.running = true
    let result: T
    try {
      result = fn()
    } catch (error) {
      this.running = false
      throw error
    }
    const done = () => {
      this.running = false
    }
    void Promise.resolve(result).then(done, done)
    return result
  }

  /** Queues work for after the commit; dropped if the transaction aborts. */
  afterCommit(run: () => Promise<void>): void {
    this.afterCommitQueue.push(run)
  }

  /** Runs fn inside the transaction's Dexie zone (the app's handlers and callbacks). */
  inZone<T>(fn: () => T): T {
    return DexiePromise.usePSD(this.zone, fn)
  }

  /** The same result as a promise that resumes its awaiter inside the transaction's zone. */
  zoned<T>(promise: Promise<T>): Promise<T> {
    return DexiePromise.usePSD(this.zone, () => new DexiePromise<T>((resolve, reject) => void promise.then(resolve, reject)))
  }

  /** A write inside the transaction; if it fails, the whole transaction is rolled back. */
  async write<T>(body: (tx: IDBTransaction) => Promise<T>): Promise<T> {
    if (this.finished) throw new TransactionExpiredError()
    try {
      return await body(this.idbtrans)
    } catch (error) {
      abortQuietly(this.idbtrans)
      throw storageError(error)
    }
  }

  /** A read inside the transaction: a miss is the caller's business, not a reason to roll back. */
  async read<T>(body: (tx: IDBTransaction) => Promise<T>): Promise<T> {
    if (this.finished) throw new TransactionExpiredError()
    try {
      return await body(this.idbtrans)
    } catch (error) {
      throw storageError(error)
    }
  }
}

/** What running a transaction needs of the store: its database and the transactions under way. */
export interface TransactionHost {
  readonly db: Dexie
  /** The store.transaction calls under way, by their IndexedDB transaction. */
  readonly openTransactions: Map<IDBTransaction, TxContext>
  readonly onError: (error: unknown) => void
}

/**
 * The scope of a call made on the root store: none of its own, but the transaction it runs in, if
 * any. Dexie's zone tracks that across the awaits of code inside the transaction; other work that
 * happens to run meanwhile (a UI read, another projection) stays outside it.
 */
export function ambientScope(host: TransactionHost): Scope {
  const current = (Dexie.currentTransaction as unknown as { idbtrans?: IDBTransaction } | null)?.idbtrans
  const tx = current ? host.openTransactions.get(current) : undefined
  return tx ? { metadata: ROOT_SCOPE.metadata, tx } : ROOT_SCOPE
}

/**
 * Runs an operation; errors thrown at once come back through the promise. Inside a transaction
 * the result resumes the caller in the transaction's Dexie zone.
 */
export function settle<T>(scope: Scope, operation: () => Promise<T>): Promise<T> {
  let promise: Promise<T>
  try {
    promise = operation()
  } catch (error) {
    promise = Promise.reject(error)
  }
  return scope.tx ? scope.tx.zoned(promise) : promise
}

/** Calls app code (a callback) so that, inside a transaction, its Dexie calls join it. */
export function callIn<T>(scope: Scope, fn: () => T): T {
  return scope.tx ? scope.tx.inZone(fn) : fn()
}

/**
 * `store.transaction(fn)` outside any other: one readwrite Dexie transaction over every table,
 * with fn given the scope that joins it. Commit listeners hear the events once it commits. If
 * IndexedDB commits while fn still runs, it rejects with TransactionCommittedEarlyError naming
 * what did commit, whatever fn returned.
 */
export async function inTransaction<T>(
  host: TransactionHost,
  metadata: Metadata,
  fn: (scope: Scope) => T | Promise<T>,
  onCommit: (events: RecordedEvent[], rewritten: boolean) => void,
): Promise<T> {
  const { db } = host
  let tx: TxContext | undefined
  const early = (cause?: unknown) => new TransactionCommittedEarlyError(tx!.recorded.map((event) => event.eventId), { cause })
  try {
    const result = await db.transaction('rw', db.tables, () => {
      const idbtrans = (Dexie.currentTransaction as unknown as { idbtrans: IDBTransaction }).idbtrans
      tx = new TxContext(idbtrans, onCommit, host.onError)
      host.openTransactions.set(idbtrans, tx)
      const scope: Scope = { metadata, tx }
      return tx.run(() => fn(scope))
    })
    tx?.committed()
    if (tx?.committedEarly) throw early()
    return result
  } catch (error) {
    if (error instanceof TransactionCommittedEarlyError) throw error
    if (tx?.committedEarly) throw early(error)
    throw storageError(error)
  } finally {
    if (tx) host.openTransactions.delete(tx.idbtrans)
  }
}
