import Dexie from 'dexie'
import { EventStoreError, StorageError } from '../errors'
import { Upcasters, type RecordedEvent, type Upcaster } from '../events'
import { Subscriptions, SyncDispatcher, type Dispatcher } from '../pubsub'
import { LIBRARY_VERSION_STEP, librarySchema, storageError, type Durability } from '../storage'
import { Broker } from './Broker'
import { ChangeFeed, channelName, defaultChannel, type StoreChannel } from './ChangeFeed'
import { EventStore } from './EventStore'
import { closeCore, type StoreCore } from './StoreCore'

export interface ReadModelSchema {
  /** 1–999; raise it when the tables or their indexes change. */
  version: number
  /** Dexie table declarations, e.g. `{ orders: 'orderId, status' }`. */
  stores: Record<string, string>
}

export interface OpenEventStoreOptions {
  /** The IndexedDB database name. */
  name: string
  /** The app's own tables in the same database, written inside `store.transaction` with the events they follow. */
  readModels?: ReadModelSchema
  /** Runs the handlers; defaults to running them inside `publish` (SyncDispatcher). */
  dispatcher?: Dispatcher
  /** The time given to recorded events. */
  clock?: () => Date
  /** IndexedDB durability for writes; the browser's default unless set. */
  durability?: Durability
  /**
   * Failures nobody awaits: after-commit and immediate handlers, commit listeners. Defaults to
   * the platform's reportError (an uncaught error in the console).
   */
  onError?: (error: unknown, event?: RecordedEvent) => void
  /**
   * Another tab opened this database with a newer schema. The store closes its connection so that
   * tab can upgrade (every later call fails with StoreClosedError); tell the user to reload.
   */
  onVersionChange?: () => void
  /** Turn old stored payloads into the current shape on read. */
  upcasters?: readonly Upcaster[]
  /** Another IndexedDB implementation (e.g. fake-indexeddb's `new IDBFactory()` in tests). */
  indexedDB?: IDBFactory
  /**
   * How this connection tells the other connections to its database (other tabs, workers) of its
   * commits, and hears theirs, for `onChange` and `follow`: by default a BroadcastChannel named
   * `kiroku:<name>`. Give a function to make another (it gets that name), or `false` for none: then
   * `onChange` and `follow` hear this connection only, and no other connection hears it.
   */
  channel?: false | ((name: string) => StoreChannel)
}

export async function openEventStore(options: OpenEventStoreOptions): Promise<EventStore> {
  const { name, readModels, dispatcher = new SyncDispatcher(), clock = () => new Date(), durability = 'default' } = options
  if (typeof name !== 'string' || name.length === 0) throw new EventStoreError('openEventStore needs a database name.', { name })
  const db = new Dexie(name, {
    ...(options.indexedDB ? { indexedDB: options.indexedDB, IDBKeyRange } : {}),
    chromeTransactionDurability: durability,
    // A closed store stays closed: without this, the next Dexie call would quietly reopen it.
    autoOpen: false,
  })
  declareSchema(db, readModels)
  try {
    await db.open()
  } catch (error) {
    throw storageError(error)
  }
  const subscriptions = new Subscriptions()
  const onError = options.onError ?? defaultReport
  const channel = options.channel === false ? null : (options.channel ?? defaultChannel)(channelName(name))
  const core: StoreCore = {
    db,
    durability,
    clock,
    subscriptions,
    commitListeners: new Set(),
    closeListeners: new Set(),
    openTransactions: new Map(),
    upcasters: new Upcasters(options.upcasters),
    feed: new ChangeFeed(channel, onError),
    onError,
    broker: undefined as unknown as Broker,
    closed: false,
  }
  db.on('versionchange', () => {
    closeCore(core, 'versionchange')
    options.onVersionChange?.()
    // Returning nothing lets Dexie close the connection, so the newer tab is not blocked.
  })
  // The browser closed the connection (storage cleared, a crash of its IndexedDB backend).
  db.on('close', () => closeCore(core, 'lost'))
  core.broker = new Broker(subscriptions, dispatcher, (scope) => new EventStore(core, scope), core.onError)
  return new EventStore(core)
}

function defaultReport(error: unknown): void {
  const report = (globalThis as { reportError?: (error: unknown) => void }).reportError
  if (report) report(error)
  else console.error(error)
}

function declareSchema(db: Dexie, readModels: ReadModelSchema | undefined): void {
  const latest = librarySchema.at(-1) as (typeof librarySchema)[number]
  if (readModels) {
    const { version, stores } = readModels
    if (!Number.isInteger(version) || version < 1 || version >= LIBRARY_VERSION_STEP) {
      throw new StorageError('VersionError', `readModels.version must be a whole number from 1 to ${LIBRARY_VERSION_STEP - 1}, not ${String(version)}.`)
    }
    for (const table of Object.keys(stores)) {
      if (table in latest.stores) throw new StorageError('ConstraintError', `The table name "${table}" belongs to the event store; give the read model another name.`)
    }
  }
  // Every library step names the read models' tables too: Dexie deletes whatever tables a step it
  // runs does not name, so a database at 3002 upgraded through 4000 to 4002 would lose them.
  const readModelTables = readModels?.stores ?? {}
  for (const step of librarySchema) db.version(step.version * LIBRARY_VERSION_STEP).stores({ ...step.stores, ...readModelTables })
  if (readModels) db.version(latest.version * LIBRARY_VERSION_STEP + readModels.version).stores({ ...latest.stores, ...readModelTables })
}
