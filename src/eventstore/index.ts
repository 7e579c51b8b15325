// The public surface of Kiroku's event store.
export { defineEvent, typeOf } from './events/Event'
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
} from './events/Event'
export type { StandardSchemaV1 } from './events/StandardSchema'
export { openEventStore } from './client/openEventStore'
export type { OpenEventStoreOptions, ReadModelSchema } from './client/openEventStore'
export { EventStore } from './client/EventStore'
export type { AppendOptions, CloseListener, CloseReason, CommitListener, LinkOptions } from './client/EventStore'
export type { ExpectedVersion } from './storage/ExpectedVersion'
export { ReadQuery } from './client/ReadQuery'
export type { ReadSpec } from './storage/readEvents'
export type { EventHandler, HandlerContext } from './pubsub/Subscriptions'
export { SyncDispatcher } from './pubsub/SyncDispatcher'
export {
  AfterCommitDispatcher,
  ComposedDispatcher,
  ImmediateDispatcher,
  afterCommit,
  defaultComposedDispatcher,
  immediate,
  kindOf,
} from './pubsub/dispatchers'
export type { DispatchKind } from './pubsub/dispatchers'
export type { Dispatcher } from './pubsub/SyncDispatcher'
export type { Durability } from './storage/idb'
export { librarySchema } from './storage/schema'
export type { SnapshotRecord } from './storage/schema'
export { AggregateRoot, streamOf } from './aggregates/AggregateRoot'
export type { AggregateType, AppliedEvent } from './aggregates/AggregateRoot'
export { AggregateRepository } from './aggregates/AggregateRepository'
export type { LoadReport, RepositoryOptions, WithAggregateOptions } from './aggregates/AggregateRepository'
export { SnapshotStore } from './storage/SnapshotStore'
export { Upcasters, upcaster } from './events/Upcasters'
export type { Upcaster } from './events/Upcasters'
export { given, ScenarioFailedError } from './testing/given'
export { defineProjection } from './projections/Projection'
export type { ProjectionContext, ProjectionDefinition, ProjectionState, ProjectionStatus } from './projections/Projection'
export { ProjectionRunner } from './projections/ProjectionRunner'
export type { ProjectionRunnerOptions } from './projections/ProjectionRunner'
export type { CheckpointRecord, ProjectionFailure } from './storage/schema'
export type { Outcome, Scenario } from './testing/given'
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
export { countStreams, listStreams, membershipsOf, storedIds, streamVersions } from './io/streamCatalog'
export type { ListStreamsOptions, StreamInfo, StreamPosition } from './io/streamCatalog'
export { dispatchedAs } from './pubsub/dispatchers'
export { InstrumentedDispatcher } from './pubsub/InstrumentedDispatcher'
export type { DispatchSink, HandlerRun, InstrumentationOptions } from './pubsub/InstrumentedDispatcher'
export { DispatchLog } from './pubsub/DispatchLog'
export { decodeLine, encodeEvent, exportNdjson, exportNdjsonText } from './io/ndjson'
export type { DecodedLine, DecodeResult, NdjsonEvent, ValuePath } from './io/ndjson'
export { importNdjson, planImport, NdjsonImportError } from './io/importNdjson'
export type { ImportPlan, ImportReport, NdjsonIssue } from './io/importNdjson'
