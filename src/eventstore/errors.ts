// Every way the store can fail is one class here, with a stable `name` and plain fields, so an
// error keeps its meaning after `postMessage` (structured clone drops the prototype) and can be
// revived on the other side with `reviveError`.

export type ErrorFields = Record<string, unknown>

export class EventStoreError extends Error {
  override name = 'EventStoreError'
  readonly fields: ErrorFields

  constructor(message: string, fields: ErrorFields = {}, options?: { cause?: unknown }) {
    super(message, options)
    this.fields = fields
  }

  /** A plain object that survives structured clone; `reviveError` turns it back into a class. */
  toJSON(): { name: string; message: string; fields: ErrorFields } {
    return { name: this.name, message: this.message, fields: this.fields }
  }
}

export class InvalidExpectedVersionError extends EventStoreError {
  override name = 'InvalidExpectedVersionError'
  constructor(readonly expected: unknown, reason = 'use a whole number ≥ -1, "any", "none" or "auto"') {
    super(`Expected version ${describe(expected)} is not valid: ${reason}.`, { expected })
  }
}

export class WrongExpectedVersionError extends EventStoreError {
  override name = 'WrongExpectedVersionError'
  constructor(readonly stream: string, readonly expected: number | 'none', readonly actual: number) {
    super(
      `Stream "${stream}" is at version ${actual}, not ${expected === 'none' ? 'empty' : expected} as expected; ` +
        'someone changed it meanwhile. Nothing was written: reload the stream and try again.',
      { stream, expected, actual },
    )
  }
}

export class EventDuplicatedInStreamError extends EventStoreError {
  override name = 'EventDuplicatedInStreamError'
  constructor(readonly eventId: string, readonly stream: string | null) {
    super(
      stream === null
        ? `Event ${eventId} is already stored. Nothing was written.`
        : `Event ${eventId} is already in stream "${stream}". Nothing was written.`,
      { eventId, stream },
    )
  }
}

export class EventNotFoundError extends EventStoreError {
  override name = 'EventNotFoundError'
  constructor(readonly eventId: string, where = 'in the store') {
    super(`Event ${eventId} is not ${where}.`, { eventId })
  }
}

export class EventNotFoundInStreamError extends EventStoreError {
  override name = 'EventNotFoundInStreamError'
  constructor(readonly eventId: string, readonly stream: string) {
    super(`Event ${eventId} is not in stream "${stream}".`, { eventId, stream })
  }
}

export class IncorrectStreamDataError extends EventStoreError {
  override name = 'IncorrectStreamDataError'
  constructor(readonly stream: unknown) {
    super(`Stream name ${describe(stream)} is not valid: give a non-empty string.`, { stream })
  }
}

export class InvalidPageSizeError extends EventStoreError {
  override name = 'InvalidPageSizeError'
  constructor(readonly limit: unknown) {
    super(`Page size ${describe(limit)} is not valid: give a whole number greater than 0.`, { limit })
  }
}

export class InvalidEventDataError extends EventStoreError {
  override name = 'InvalidEventDataError'
  /** Set when a stored event is the one at fault (read back, it no longer fits its schema). */
  readonly eventId: string | undefined
  constructor(
    readonly eventType: string | undefined,
    readonly reason: string,
    readonly issues: readonly string[] = [],
    options: { cause?: unknown; eventId?: string } = {},
  ) {
    super(
      `${eventType ? `Event ${eventType}` : 'An event'}${options.eventId ? ` ${options.eventId}` : ''} ${options.eventId ? 'does not fit its schema' : 'cannot be stored'}: ${reason}` +
        `${issues.length ? ` (${issues.join('; ')})` : ''}. ${options.eventId ? 'The stored event is unchanged.' : 'Nothing was written.'}`,
      { eventType, reason, issues: [...issues], ...(options.eventId ? { eventId: options.eventId } : {}) },
      options.cause === undefined ? undefined : { cause: options.cause },
    )
    this.eventId = options.eventId
  }
}

export class EventUpcastError extends EventStoreError {
  override name = 'EventUpcastError'
  constructor(readonly eventId: string, readonly eventType: string, readonly fromVersion: number, cause?: unknown) {
    super(
      `Event ${eventId} (${eventType}, version ${fromVersion}) could not be upcast: ${cause instanceof Error ? cause.message : String(cause)}. The stored event is unchanged.`,
      { eventId, eventType, fromVersion },
      { cause },
    )
  }
}

/** An aggregate applied or replayed an event it has no handler for. */
export class MissingHandlerError extends EventStoreError {
  override name = 'MissingHandlerError'
  constructor(readonly aggregate: string, readonly eventType: string, readonly eventId?: string) {
    super(
      `Aggregate ${aggregate} has no handler for ${eventType}${eventId ? ` (event ${eventId})` : ''}: register one with on(${eventType}, …).`,
      { aggregate, eventType, eventId },
    )
  }
}

/** `store.transaction(fn)`: fn awaited something that was not this store's work, so IndexedDB committed early. */
export class TransactionExpiredError extends EventStoreError {
  override name = 'TransactionExpiredError'
  constructor(options?: { cause?: unknown }) {
    super(
      'The transaction had already committed: inside store.transaction(fn), fn may await only this ' +
        "store's work. Awaiting a timer, fetch or another database lets IndexedDB commit early; " +
        'what ran before that await was committed, the rest was not.',
      {},
      options,
    )
  }
}

/**
 * `store.transaction(fn)` was not all-or-nothing: IndexedDB committed while fn was still running
 * (fn awaited a timer, fetch or other non-IndexedDB work). What ran before that await is stored
 * for good — `committedEventIds` and any read-model writes made by then — and nothing after it.
 * Deliberately not a TransactionExpiredError: retrying the whole fn would write those events twice.
 */
export class TransactionCommittedEarlyError extends EventStoreError {
  override name = 'TransactionCommittedEarlyError'
  constructor(
    readonly committedEventIds: readonly string[],
    options?: { cause?: unknown },
  ) {
    const what = committedEventIds.length ? `the events ${committedEventIds.join(', ')}` : 'no event'
    super(
      `The transaction committed before its callback finished, so it was not all-or-nothing: ${what} ` +
        'and the read-model writes made before that point are stored; nothing after it was written. ' +
        "Inside store.transaction(fn), fn may await only this store's and this database's work: do " +
        'timers, fetch and other databases before or after the transaction. Do not simply retry fn.',
      { committedEventIds: [...committedEventIds] },
      options,
    )
  }
}

export class StoreClosedError extends EventStoreError {
  override name = 'StoreClosedError'
  constructor(options?: { cause?: unknown }) {
    super('The event store is closed (store.close() was called or another tab upgraded the database). Reload to reopen it.', {}, options)
  }
}

export class StorageQuotaExceededError extends EventStoreError {
  override name = 'StorageQuotaExceededError'
  constructor(options?: { cause?: unknown }) {
    super('The browser refused to store more data (storage quota exceeded). The last change was not saved; everything before it is kept.', {}, options)
  }
}

/** Any other IndexedDB failure, with the original error kept as `cause`. */
/** truncateStream would take out an event that another stream links to. */
export class StreamTruncationError extends EventStoreError {
  override name = 'StreamTruncationError'
  constructor(readonly stream: string, readonly eventId: string) {
    super(`Stream "${stream}" cannot be cut back: its event ${eventId} is linked into another stream as well. Nothing was removed.`, { stream, eventId })
  }
}

export class StorageError extends EventStoreError {
  override name = 'StorageError'
  constructor(readonly storageErrorName: string, detail: string, options?: { cause?: unknown }) {
    super(`IndexedDB failed (${storageErrorName}): ${detail}`, { storageErrorName }, options)
  }
}

const classes: Record<string, (f: ErrorFields, message: string) => EventStoreError> = {
  InvalidExpectedVersionError: (f) => new InvalidExpectedVersionError(f.expected),
  WrongExpectedVersionError: (f) =>
    new WrongExpectedVersionError(String(f.stream), f.expected as number | 'none', Number(f.actual)),
  EventDuplicatedInStreamError: (f) => new EventDuplicatedInStreamError(String(f.eventId), (f.stream as string | null) ?? null),
  EventNotFoundError: (f) => new EventNotFoundError(String(f.eventId)),
  EventNotFoundInStreamError: (f) => new EventNotFoundInStreamError(String(f.eventId), String(f.stream)),
  IncorrectStreamDataError: (f) => new IncorrectStreamDataError(f.stream),
  InvalidPageSizeError: (f) => new InvalidPageSizeError(f.limit),
  InvalidEventDataError: (f) =>
    new InvalidEventDataError(f.eventType as string | undefined, String(f.reason), (f.issues as string[]) ?? [], {
      ...(typeof f.eventId === 'string' ? { eventId: f.eventId } : {}),
    }),
  TransactionExpiredError: () => new TransactionExpiredError(),
  TransactionCommittedEarlyError: (f) => new TransactionCommittedEarlyError(Array.isArray(f.committedEventIds) ? f.committedEventIds.map(String) : []),
  EventUpcastError: (f, m) => new EventUpcastError(String(f.eventId), String(f.eventType), Number(f.fromVersion), m),
  MissingHandlerError: (f) => new MissingHandlerError(String(f.aggregate), String(f.eventType), f.eventId as string | undefined),
  StoreClosedError: () => new StoreClosedError(),
  StorageQuotaExceededError: () => new StorageQuotaExceededError(),
  StorageError: (f, m) => new StorageError(String(f.storageErrorName), m),
  StreamTruncationError: (f) => new StreamTruncationError(String(f.stream), String(f.eventId)),
}

/** Registers an error class defined outside this file (e.g. by a domain) so `reviveError` knows it. */
export function registerError(name: string, revive: (fields: ErrorFields, message: string) => EventStoreError): void {
  classes[name] = revive
}

/** Turns `error.toJSON()` (or a structured-cloned error) back into its class; unknown names stay EventStoreError. */
export function reviveError(plain: { name: string; message: string; fields?: ErrorFields }): EventStoreError {
  const make = classes[plain.name]
  const error = make ? make(plain.fields ?? {}, plain.message) : new EventStoreError(plain.message, plain.fields ?? {})
  if (!make) error.name = plain.name
  error.message = plain.message
  return error
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value)
  return `of type ${typeof value}`
}

/**
 * A deferred projection's apply (or applyBatch) awaited work that is not an IndexedDB request
 * (a timer, fetch, crypto.subtle, blob.text()…), so IndexedDB ended the batch's transaction
 * before the callback was done. The runner stops the projection rather than retry: a retry could
 * only apply the event again on top of what was already committed.
 */
export class ProjectionTransactionExpiredError extends EventStoreError {
  override name = 'ProjectionTransactionExpiredError'
  constructor(
    readonly projection: string,
    readonly eventId: string,
    readonly position: number,
    /** Whether IndexedDB committed what the callback wrote before that await (with the checkpoint). */
    readonly committed: boolean,
    readonly callback: 'apply' | 'applyBatch' = 'apply',
    options?: { cause?: unknown },
  ) {
    const subject = callback === 'apply' ? `event ${eventId}` : `the batch from event ${eventId}`
    super(
      `Projection "${projection}" stopped at event ${eventId} (position ${position}): its ${callback} awaited work that is not ` +
        'an IndexedDB request (a timer, fetch, crypto.subtle, blob.text()…), so IndexedDB ended the transaction before it was done. ' +
        (committed
          ? `What it had written for ${subject} was committed with the checkpoint, so that is never applied twice; the rest of its work was lost. `
          : 'Nothing of that transaction was kept. ') +
        `${callback} may await only the read model’s IndexedDB work: do anything else before the event is published, then ` +
        (committed ? 'rebuild the projection.' : 'retry the projection.'),
      { projection, eventId, position, committed, callback },
      options,
    )
  }
}

registerError(
  'ProjectionTransactionExpiredError',
  (f) => new ProjectionTransactionExpiredError(String(f.projection), String(f.eventId), Number(f.position), Boolean(f.committed), f.callback === 'applyBatch' ? 'applyBatch' : 'apply'),
)
