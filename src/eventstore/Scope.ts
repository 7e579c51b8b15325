// Browsers have no async context, so "the metadata of this call" and "the transaction this call
// joins" travel in a Scope: explicitly on a scoped store, or ambiently on a stack for sequential
// code that calls the store itself.
import type { Metadata, RecordedEvent } from './Event'
import { TransactionExpiredError } from './errors'
import { abortQuietly, storageError } from './idb'

export interface Scope {
  readonly metadata: Metadata
  readonly tx: TxContext | null
}

export const ROOT_SCOPE: Scope = Object.freeze({ metadata: Object.freeze({}), tx: null })

/** One `store.transaction(fn)`: its IndexedDB transaction and the events recorded in it so far. */
export class TxContext {
  readonly recorded: RecordedEvent[] = []
  private finished = false

  constructor(
    readonly idbtrans: IDBTransaction,
    onCommit: (events: RecordedEvent[]) => void,
  ) {
    // The IndexedDB events themselves say whether it committed, whatever the caller awaited.
    idbtrans.addEventListener('complete', () => {
      this.finished = true
      if (this.recorded.length) onCommit(this.recorded)
    })
    idbtrans.addEventListener('abort', () => {
      this.finished = true
    })
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

/** The ambient scopes of sequential code; each is removed when its callback settles. */
export class AmbientScopes {
  private readonly stack: Scope[] = []

  get current(): Scope | undefined {
    return this.stack.at(-1)
  }

  async run<T>(scope: Scope, fn: () => T | Promise<T>): Promise<T> {
    this.stack.push(scope)
    try {
      return await fn()
    } finally {
      // Remove this entry, not the top: interleaved scopes may settle in any order.
      this.stack.splice(this.stack.lastIndexOf(scope), 1)
    }
  }
}
