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
export type { AppendOptions, CloseListener, CloseReason, CommitListener, LinkOptions } from './EventStore'
export type { ExpectedVersion } from './ExpectedVersion'
export { ReadQuery } from './ReadQuery'
export type { ReadSpec } from './readEvents'
export type { EventHandler, HandlerContext } from './Subscriptions'
export { SyncDispatcher } from './SyncDispatcher'
export {
  AfterCommitDispatcher,
  ComposedDispatcher,
  ImmediateDispatcher,
  afterCommit,
  defaultComposedDispatcher,
  immediate,
  kindOf,
} from './dispatchers'
export type { DispatchKind } from './dispatchers'
export type { Dispatcher } from './SyncDispatcher'
export type { Durability } from './idb'
export { librarySchema } from './schema'
export type { SnapshotRecord } from './schema'
export { AggregateRoot, streamOf } from './AggregateRoot'
export type { AggregateType, AppliedEvent } from './AggregateRoot'
export { AggregateRepository } from './AggregateRepository'
export type { LoadReport, RepositoryOptions, WithAggregateOptions } from './AggregateRepository'
export { SnapshotStore } from './SnapshotStore'
export { Upcasters, upcaster } from './Upcasters'
export type { Upcaster } from './Upcasters'
export { given, ScenarioFailedError } from './testing'
export { defineProjection } from './Projection'
export type { ProjectionContext, ProjectionDefinition, ProjectionState, ProjectionStatus } from './Projection'
export { ProjectionRunner } from './ProjectionRunner'
export type { ProjectionRunnerOptions } from './ProjectionRunner'
export type { CheckpointRecord, ProjectionFailure } from './schema'
export type { Outcome, Scenario } from './testing'
export {
  EventDuplicatedInStreamError,
  EventNotFoundError,
  EventNotFoundInStreamError,
  EventStoreError,
  EventUpcastError,
  IncorrectStreamDataError,
  MissingHandlerError,
  ProjectionTransactionExpiredError,
  InvalidEventDataError,
  InvalidExpectedVersionError,
  InvalidPageSizeError,
  StorageError,
  StorageQuotaExceededError,
  StoreClosedError,
  TransactionCommittedEarlyError,
  TransactionExpiredError,
  WrongExpectedVersionError,
  registerError,
  reviveError,
} from './errors'
export { countStreams, listStreams, membershipsOf, storedIds, streamVersions } from './streamCatalog'
export type { ListStreamsOptions, StreamInfo, StreamPosition } from './streamCatalog'
export { dispatchedAs } from './dispatchers'
export { InstrumentedDispatcher } from './InstrumentedDispatcher'
export type { DispatchSink, HandlerRun, InstrumentationOptions } from './InstrumentedDispatcher'
export { DispatchLog } from './DispatchLog'
export { decodeLine, encodeEvent, exportNdjson, exportNdjsonText } from './ndjson'
export type { DecodedLine, DecodeResult, NdjsonEvent, ValuePath } from './ndjson'
export { importNdjson, planImport, NdjsonImportError } from './importNdjson'
export type { ImportPlan, ImportReport, NdjsonIssue } from './importNdjson'
