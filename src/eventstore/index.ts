// The public surface of Kiroku's event store, folder by folder. Test helpers (given/when/then)
// are not here: they have their own entry, `src/eventstore/testing`.
/**
 * The event store on IndexedDB: events, streams and read queries, expected versions, subscriptions and dispatchers, aggregates and deciders, the repository and snapshots, projections, upcasters, NDJSON, and an app's rules written once.
 *
 * @module kiroku-es
 */

// events/: defining events, their schemas and upcasters (no storage: safe anywhere)
export { defineEvent, typeOf, Upcasters, upcaster } from './events'
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
  StandardSchemaV1,
  Upcaster,
} from './events'

// aggregates/: state rebuilt by replay, the repository and its storage port (safe anywhere)
// Both styles: classes (AggregateRoot) and deciders (defineDecider: decide / evolve / initialState)
export { AggregateRepository, AggregateRoot, defineDecider, streamOf } from './aggregates'
export type {
  AggregateKind,
  AggregateStore,
  AggregateType,
  AppliedEvent,
  AppliedEventOf,
  Decider,
  Decision,
  HandleResult,
  History,
  LoadReport,
  LoadedState,
  RepositoryOptions,
  Snapshot,
  WithAggregateOptions,
} from './aggregates'

// rules/: an app's rules, written once (which command produced each event of a category), for the
// sync server's check of pushed commits and the browser's rebase (safe anywhere)
export {
  EventDataRefusedError,
  EventNotOfCategoryError,
  EventNotProducedError,
  EventOutOfPlaceError,
  RuleRefusalError,
  StreamIdMismatchError,
  UndeclaredReadError,
  defineRules,
  replayed,
  rulesOf,
} from './rules'
export type { CategoryOptions, CategoryRules, CheckedEvent, ClassRuleOptions, DeciderRuleOptions, RuleContext, RuledEvent, Rules, RulesOptions } from './rules'

// client/: the store itself, on IndexedDB
export { EventStore, ReadQuery, openEventStore } from './client'
export type {
  AppendOptions,
  ChangeListener,
  CloseListener,
  CloseReason,
  CommitListener,
  CommitNotice,
  EventHandler,
  FollowOptions,
  HandlerContext,
  LinkOptions,
  LogChange,
  LogFollower,
  OpenEventStoreOptions,
  ReadModelSchema,
  StoreChannel,
} from './client'

// storage/: the IndexedDB layout and the expected-version contract
export { SnapshotStore, librarySchema } from './storage'
export type { CheckpointRecord, Durability, ExpectedVersion, ProjectionFailure, ReadSpec, SnapshotRecord } from './storage'

// pubsub/: dispatchers, as RailsEventStore's, and their instrumentation
export {
  AfterCommitDispatcher,
  ComposedDispatcher,
  DispatchLog,
  ImmediateDispatcher,
  InstrumentedDispatcher,
  SyncDispatcher,
  afterCommit,
  defaultComposedDispatcher,
  dispatchedAs,
  immediate,
  kindOf,
} from './pubsub'
export type { DispatchKind, DispatchSink, Dispatcher, HandlerRun, InstrumentationOptions } from './pubsub'

// projections/: sync projections (state in memory, kept as events are published) and deferred
// projections with durable checkpoints
export { ProjectionRunner, defineProjection, syncProjection } from './projections'
export type {
  ProjectionContext,
  ProjectionDefinition,
  ProjectionRunnerOptions,
  ProjectionState,
  ProjectionStatus,
  StateListener,
  SyncProjection,
  SyncProjectionOptions,
} from './projections'

// worker/: running the deferred projections in one tab's Web Worker, and following it from every tab
export * from './worker'

// io/: the whole log in and out (NDJSON) and the stream catalog
export {
  NdjsonImportError,
  countStreams,
  decodeLine,
  encodeEvent,
  exportNdjson,
  exportNdjsonText,
  importNdjson,
  listEventTypes,
  listStreams,
  membershipsOf,
  planImport,
  storedIds,
  streamVersions,
} from './io'
export type { DecodeResult, DecodedLine, ImportOptions, ImportPlan, ImportProgress, ImportReport, ListStreamsOptions, NdjsonEvent, NdjsonIssue, StreamInfo, StreamPosition, ValuePath } from './io'

export {
  EventDuplicatedInStreamError,
  EventNotFoundError,
  EventNotFoundInStreamError,
  EventStoreError,
  EventUpcastError,
  IncorrectStreamDataError,
  InvalidEventDataError,
  InvalidExpectedVersionError,
  InvalidPageSizeError,
  MissingHandlerError,
  ProjectionTransactionExpiredError,
  StorageError,
  StorageQuotaExceededError,
  StoreClosedError,
  StreamTruncationError,
  TransactionCommittedEarlyError,
  TransactionExpiredError,
  WrongExpectedVersionError,
  registerError,
  reviveError,
} from './errors'
