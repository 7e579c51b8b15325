// A world of simulated devices around the app's own sync server, for testing that an app's domain
// converges: users, each with devices (a store and an engine apiece) on networks the test cuts,
// slows to a lost answer, or restores; then `settle()` and `assertConverged()`. The server is the
// test's (in-process, on in-memory storage, or a real one over loopback): this kit only talks to
// it through the protocol, as devices do.
import { openEventStore, type EventStore, type ReadModelSchema } from '../../eventstore'
import { SYNC_STREAMS, syncTables, type SyncDefinition, type SyncReport } from '..'
import { convergenceOf, type Convergence, type ConvergenceOptions } from './convergence'
import { NotConvergedError, SyncWorldSetupError } from './errors'
import { ServerConnection, type SignIn, type SyncServerHandle } from './ServerConnection'
import { settle, type SettleOptions, type Settled } from './settle'
import { SimulatedDevice, type DeviceChange, type DeviceEngineOptions } from './SimulatedDevice'
import { SimulatedUser, type DeviceOptions } from './SimulatedUser'
import { perform, type DeviceRef, type WorldStep } from './steps'

/** A store the app opened itself (`openStore`), with what closes it besides the store (its projection runners, say). */
export interface OpenedStore {
  store: EventStore
  close(): void | Promise<void>
}

export interface SyncWorldOptions {
  /** The app's sync server, started: e.g. `createSyncServer(…)` after `await server.start()`. */
  server: SyncServerHandle
  /** The app's sync settings (`defineSync`), as its devices use them. */
  definition: SyncDefinition
  /** Where `/api` is: `http://localhost` by default (a name the server answers to without `origins`). */
  baseUrl?: string
  /** How users sign in: the protocol's accounts (default), or headers the server's `identify` reads. */
  signIn?: SignIn
  /** The app's own tables in each device's database; sync's tables are added to them. */
  readModels?: ReadModelSchema
  /**
   * Opens a device's store yourself (a unique `name` each time; with sync's tables: `syncTables`),
   * to wire what the app wires around it, such as projection runners. By default the world opens
   * `openEventStore` with `readModels` and deletes the database on close.
   */
  openStore?: (name: string) => Promise<EventStore | OpenedStore>
  /** The IndexedDB the world's own stores use (`indexedDB` by default: in Node, load fake-indexeddb first). */
  indexedDB?: IDBFactory
  /** Every device's engine settings (small `commitSize` and `pullLimit` reach more cases). */
  engine?: DeviceEngineOptions
  /** Sync changed a device's log, as the app's worker hears it: rebuild its read models when `rewritten`. */
  onChanged?: (device: SimulatedDevice, change: DeviceChange) => void | Promise<void>
}

export interface SyncWorld {
  readonly users: readonly SimulatedUser[]
  /** Every device of every user, in the order they were made. */
  readonly devices: readonly SimulatedDevice[]
  /** A new user (signed up, or named by `signIn.headers`); `name` unique in the world. */
  user(name: string): Promise<SimulatedUser>
  /** A device by its index (modulo their count) or its name (`alice/phone`). */
  device(ref: DeviceRef): SimulatedDevice
  /** Runs one of the world's steps (the network, syncing): what a property's generator makes. */
  perform(step: WorldStep): Promise<void>
  /** Every device online on a network that loses nothing, synced in rounds until none has anything left to do; throws `SyncDidNotSettleError` naming what still waits. */
  settle(options?: SettleOptions): Promise<Settled>
  /** Whether the devices agree with the server's log (and their read models with a fresh device's); settle first. */
  convergence(options?: ConvergenceOptions): Promise<Convergence>
  /** `convergence`, throwing `NotConvergedError` with every difference when there is one. */
  assertConverged(options?: ConvergenceOptions): Promise<Convergence>
  /** Every open device's reports of events the server did not take, by device name. */
  reports(): Promise<Map<string, SyncReport[]>>
  /** Stops every engine and closes every store (deleting the databases the world made). */
  close(): Promise<void>
}

let worlds = 0

export function syncWorld(options: SyncWorldOptions): SyncWorld {
  const unique = `${Date.now().toString(36)}${(++worlds).toString(36)}${Math.random().toString(36).slice(2, 6)}`
  const connection = new ServerConnection(options.server, options.baseUrl ?? 'http://localhost', options.signIn ?? 'accounts')
  const users: SimulatedUser[] = []
  const devices: SimulatedDevice[] = []
  let stores = 0

  const openStore = async (name: string): Promise<{ store: EventStore; release(): Promise<void> }> => {
    if (options.openStore !== undefined) {
      const opened = await options.openStore(name)
      const { store, close } = 'store' in opened ? opened : { store: opened, close: () => undefined }
      if (!store.db.tables.some((table) => table.name === SYNC_STREAMS)) {
        await close()
        store.close()
        throw new SyncWorldSetupError(`The store openStore gave for ${name} has no sync tables: add syncTables to its readModels.`, { name })
      }
      return {
        store,
        release: async () => {
          await close()
          store.close()
        },
      }
    }
    const readModels = { version: options.readModels?.version ?? 1, stores: { ...options.readModels?.stores, ...syncTables } }
    const factory = options.indexedDB
    const store = await openEventStore({ name, readModels, channel: false, ...(factory === undefined ? {} : { indexedDB: factory }) })
    return {
      store,
      release: async () => {
        store.close()
        await deleteDatabase(factory ?? globalThis.indexedDB, name)
      },
    }
  }

  const openDevice = async (user: SimulatedUser, name: string, deviceOptions: DeviceOptions & { fresh?: boolean }): Promise<SimulatedDevice> => {
    const { store, release } = await openStore(`kiroku-sync-testing-${unique}-${++stores}`)
    const device = new SimulatedDevice({
      name: `${user.name}/${name}`,
      userName: user.name,
      store,
      release,
      connection,
      headers: { ...user.headers },
      definition: options.definition,
      engine: { ...options.engine, ...deviceOptions.engine },
      ...(options.onChanged === undefined ? {} : { onChanged: options.onChanged }),
    })
    if (!deviceOptions.fresh) devices.push(device)
    return device
  }

  const device = (ref: DeviceRef): SimulatedDevice => {
    const open = devices.filter((d) => !d.closed)
    const found = typeof ref === 'number' ? open[((ref % open.length) + open.length) % open.length] : open.find((d) => d.name === ref)
    if (found === undefined) throw new TypeError(open.length === 0 ? 'The world has no devices yet.' : `No device ${String(ref)}: the world's devices are ${open.map((d) => d.name).join(', ')}.`)
    return found
  }

  const convergence = (convergenceOptions: ConvergenceOptions = {}) =>
    convergenceOf(users, convergenceOptions, (user) => openDevice(user, 'fresh device', { fresh: true }))

  return {
    users,
    devices,
    async user(name) {
      if (users.some((user) => user.name === name)) throw new TypeError(`The world has a user named ${name} already.`)
      const { id, email, headers } = await connection.register(name, unique)
      const user = new SimulatedUser(name, id, email, headers, connection, openDevice)
      users.push(user)
      return user
    },
    device,
    perform: (step) => perform(step, device),
    settle: (settleOptions) => settle(users, settleOptions),
    convergence,
    async assertConverged(convergenceOptions) {
      const found = await convergence(convergenceOptions)
      if (!found.converged) throw new NotConvergedError(found.differences)
      return found
    },
    async reports() {
      return new Map(await Promise.all(devices.filter((d) => !d.closed).map(async (d) => [d.name, await d.reports()] as const)))
    },
    async close() {
      await Promise.all(devices.map((d) => d.close()))
    },
  }
}

/** Deletes a database once every connection to it closed (`blocked` only means "not yet"). */
function deleteDatabase(factory: IDBFactory | undefined, name: string): Promise<void> {
  if (factory === undefined) return Promise.resolve()
  return new Promise((resolve, reject) => {
    const request = factory.deleteDatabase(name)
    request.onsuccess = () => resolve()
    request.onerror = () => reject(request.error)
  })
}
