// One user's devices against the real sync server in-process: the Hono app over in-memory PGlite,
// reached through the engine's HTTP transport with Hono's app.request standing in for fetch, and a
// network each device can cut. Each device is a shop store (fake-indexeddb) with its own engine.
import { afterAll, beforeAll } from 'vitest'
import type { Db } from '../../../src/server/db/Db'
import { migrate } from '../../server/support/shopMigrate'
import { openPglite } from '../../../src/server/db/pglite'
import { createApp, type App } from '../../server/support/shopApp'
import { AggregateRepository, type EventStore, type RecordedEvent } from '../../../src/eventstore'
import { httpTransport, SyncEngine, type SyncDefinition, type SyncTransport } from '../../../src/sync'
import { shopDatabase, shopSync } from '../../../src/worker/shopSync'
import { openTestStore } from '../../support/stores'

export interface TestServer {
  readonly app: App
  readonly db: Db
  /** Signs a new user up; resolves with their session cookie. */
  signUp(email: string): Promise<{ userId: string; cookie: string }>
}

const BASE = 'http://kiroku.test'

/** Registers beforeAll/afterAll: one server (and database) for the file. */
export function testServer(): TestServer {
  const state = { app: undefined as unknown as App, db: undefined as unknown as Db }
  beforeAll(async () => {
    state.db = await openPglite()
    await migrate(state.db)
    state.app = createApp({ db: state.db })
  }, 60_000)
  afterAll(async () => {
    await state.db?.close()
  })
  return {
    get app() {
      return state.app
    },
    get db() {
      return state.db
    },
    async signUp(email) {
      const response = await state.app.request(`${BASE}/api/auth/signup`, {
        method: 'POST',
        body: JSON.stringify({ email, password: 'correct horse' }),
        headers: { 'content-type': 'application/json' },
      })
      if (response.status !== 201) throw new Error(`signup answered ${response.status}: ${await response.text()}`)
      const { user } = (await response.json()) as { user: { id: string } }
      const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0] as string
      return { userId: user.id, cookie }
    },
  }
}

export interface Device {
  readonly name: string
  readonly store: EventStore
  readonly repository: AggregateRepository
  readonly engine: SyncEngine
  /** Its way to the server, through its network switch (for another engine on the same store). */
  readonly transport: SyncTransport
  /** Whether its requests reach the server. */
  online: boolean
  /** Its session cookie (signing in again gives a new one). */
  cookie: string
  /** Requests it made (push and pull), for counting. */
  readonly requests: string[]
  sync(): Promise<void>
  /** The device's synced streams: each event's id, type and data at its stream position. */
  streams(): Promise<Map<string, Array<Pick<RecordedEvent, 'eventId' | 'type' | 'data'>>>>
}

/** A device of the user with this cookie: a fresh store and engine (not started: tests call sync()), by the shop's sync definition unless given another. */
export async function openDevice(server: TestServer, cookie: string, name = 'device', definition: SyncDefinition = shopSync): Promise<Device> {
  const store = await openTestStore({ readModels: shopDatabase })
  const requests: string[] = []
  const device = { online: true, cookie } as { online: boolean; cookie: string }
  const transport: SyncTransport = httpTransport({
    baseUrl: BASE,
    fetch: async (url, init) => {
      if (!device.online) throw new TypeError('Failed to fetch (the device is offline)')
      requests.push(`${init?.method ?? 'GET'} ${url.replace(BASE, '')}`)
      const headers = new Headers(init?.headers)
      headers.set('cookie', device.cookie)
      return server.app.request(url, { ...init, headers })
    },
  })
  const engine = new SyncEngine({ store, transport, definition, online: () => device.online })
  return Object.assign(device, {
    name,
    store,
    repository: new AggregateRepository(store),
    engine,
    transport,
    requests,
    sync: () => engine.sync(),
    streams: () => syncedStreams(store),
  })
}

/** Every synced stream of the store with its events in order. */
export async function syncedStreams(store: EventStore): Promise<Map<string, Array<Pick<RecordedEvent, 'eventId' | 'type' | 'data'>>>> {
  const streams = new Map<string, Array<Pick<RecordedEvent, 'eventId' | 'type' | 'data'>>>()
  for (const event of await store.read.toArray()) {
    for (const stream of await store.streamsOf(event.eventId)) {
      if (!shopSync.syncs(stream)) continue
      streams.set(stream, [...(streams.get(stream) ?? [])])
    }
  }
  for (const stream of [...streams.keys()].sort()) {
    streams.set(stream, (await store.read.stream(stream).toArray()).map(({ eventId, type, data }) => ({ eventId, type, data })))
  }
  return new Map([...streams].sort(([a], [b]) => a.localeCompare(b)))
}
