// The public surface of Kiroku's event store.
export { defineEvent, typeOf } from './Event'
export type {
  EventData,
  EventDefinition,
  EventMetadata,
  EventOf,
  EventOptions,
  EventTypeRef,
  Metadata,
  NewEvent,
  RecordedEvent,
} from './Event'
export type { StandardSchemaV1 } from './StandardSchema'
export { openEventStore } from './openEventStore'
export type { OpenEventStoreOptions, ReadModelSchema } from './openEventStore'
export { EventStore } from './EventStore'
export type { AppendOptions, CommitListener, LinkOptions } from './EventStore'
export type { ExpectedVersion } from './ExpectedVersion'
export { ReadQuery } from './ReadQuery'
export type { ReadSpec } from './readEvents'
export type { EventHandler, HandlerContext } from './Subscriptions'
export { SyncDispatcher } from './SyncDispatcher'
export type { Dispatcher } from './SyncDispatcher'
export type { Durability } from './idb'
export { librarySchema } from './schema'
export {
  EventDuplicatedInStreamError,
  EventNotFoundError,
  EventNotFoundInStreamError,
  EventStoreError,
  IncorrectStreamDataError,
  InvalidEventDataError,
  InvalidExpectedVersionError,
  InvalidPageSizeError,
  StorageError,
  StorageQuotaExceededError,
  StoreClosedError,
  TransactionExpiredError,
  WrongExpectedVersionError,
  registerError,
  reviveError,
} from './errors'
