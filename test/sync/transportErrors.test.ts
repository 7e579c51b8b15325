// The transport's error contract (SyncTransport): what a transport rejects with, and what the
// engine's status says of it. No answer (the guide's test transport, real fetch against a closed
// loopback port, a timeout) is `offline` when the browser is offline and `unreachable` when it is
// online, with no problem; anything else is a problem with the error's name and message.
import { createServer, type Server, type Socket } from 'node:net'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { addItem } from '../../src/domain'
import type { EventStore } from '../../src/eventstore'
import { defineSync, httpTransport, SyncEngine, syncStateOf, syncTables, type SyncEngineOptions, type SyncTransport } from '../../src/sync'
import { openTestStore } from '../support/stores'
import { openDevice, testServer } from './support/devices'

const server = testServer()

// As in docs/guides/sync.md.
const notesSync = defineSync({ policies: { Note: 'rebase', Invoice: 'reject' } })
const offline: SyncTransport = {
  push: async () => {
    throw new TypeError('offline')
  },
  pull: async () => {
    throw new TypeError('offline')
  },
}

/** A store with one note waiting to sync. */
async function noteStore(): Promise<EventStore> {
  const store = await openTestStore({ readModels: { version: 1, stores: { ...syncTables } } })
  await store.append([{ eventId: crypto.randomUUID(), type: 'Note.Noted', data: { text: 'tea' }, metadata: {} }], { stream: 'Note$1', expectedVersion: 'none' })
  return store
}

async function statusAfterSync(options: Omit<SyncEngineOptions, 'store' | 'definition'>) {
  const engine = new SyncEngine({ store: await noteStore(), definition: notesSync, ...options })
  await engine.sync()
  return engine.status
}

/** A loopback port nothing listens on (it was bound a moment ago, then closed). */
async function closedPort(): Promise<number> {
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address() as { port: number }
  await new Promise<void>((resolve) => probe.close(() => resolve()))
  return port
}

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  vi.unstubAllGlobals()
  for (const cleanup of cleanups.splice(0)) await cleanup()
})

describe('the guide’s test transport, rejecting with new TypeError(\'offline\')', () => {
  it('is offline while the browser is offline: no problem, the note waits', async () => {
    const status = await statusAfterSync({ transport: offline, online: () => false })
    expect(status).toMatchObject({ connection: 'offline', problem: null, pending: 1 })
    expect(syncStateOf(status, status.pending, false)).toBe('offline')
  })

  it('is unreachable while the browser is online: no problem, the note waits', async () => {
    const status = await statusAfterSync({ transport: offline, online: () => true })
    expect(status).toMatchObject({ connection: 'unreachable', problem: null, pending: 1 })
    expect(syncStateOf(status, status.pending, true)).toBe('waiting')
  })

  it('follows navigator.onLine when the engine is given no online state', async () => {
    vi.stubGlobal('navigator', { onLine: false })
    expect(await statusAfterSync({ transport: offline })).toMatchObject({ connection: 'offline', problem: null })
    vi.stubGlobal('navigator', { onLine: true })
    expect(await statusAfterSync({ transport: offline })).toMatchObject({ connection: 'unreachable', problem: null })
  })
})

describe('real fetch', () => {
  it('against a closed loopback port, through httpTransport: unreachable online, offline offline, the refused connection named in the last pull', async () => {
    const transport = httpTransport({ baseUrl: `http://127.0.0.1:${await closedPort()}` })
    const online = await statusAfterSync({ transport, online: () => true })
    expect(online).toMatchObject({ connection: 'unreachable', problem: null, pending: 1 })
    expect(online.lastPull).toMatchObject({ ok: false, summary: expect.stringContaining('ECONNREFUSED') })
    expect(await statusAfterSync({ transport, online: () => false })).toMatchObject({ connection: 'offline', problem: null })
  })

  it('against a closed loopback port, from a transport of the app’s own that lets fetch’s TypeError through', async () => {
    const base = `http://127.0.0.1:${await closedPort()}`
    const own: SyncTransport = {
      push: async (body) => (await fetch(`${base}/api/sync/push`, { method: 'POST', body: JSON.stringify(body) })).json(),
      pull: async (after, limit) => (await fetch(`${base}/api/sync/pull?after=${after}&limit=${limit}`)).json(),
    }
    expect(await statusAfterSync({ transport: own, online: () => true })).toMatchObject({ connection: 'unreachable', problem: null })
    expect(await statusAfterSync({ transport: own, online: () => false })).toMatchObject({ connection: 'offline', problem: null })
  })

  it('from a server that takes the connection and never answers: a timeout, unreachable', async () => {
    const sockets = new Set<Socket>()
    const silent: Server = createServer((socket) => void sockets.add(socket))
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    cleanups.push(() => {
      for (const socket of sockets) socket.destroy()
      return new Promise<void>((resolve) => silent.close(() => resolve()))
    })
    const transport = httpTransport({ baseUrl: `http://127.0.0.1:${(silent.address() as { port: number }).port}`, timeoutMs: 100 })
    const status = await statusAfterSync({ transport, online: () => true })
    expect(status).toMatchObject({ connection: 'unreachable', problem: null, pending: 1 })
    expect(status.lastPull?.summary).toContain('did not answer within 0.1 s')
  })

  it('refusing a URL it cannot call: a problem to fix, not a server to wait for', async () => {
    const status = await statusAfterSync({ transport: httpTransport({ baseUrl: 'kiroku.test' }), online: () => true })
    expect(status.connection).not.toBe('unreachable')
    expect(status.problem).toMatchObject({ code: 'SyncRequestError', message: expect.stringContaining('is not a URL') })
  })
})

describe('what a transport rejects with, besides', () => {
  it('an AbortError or a TimeoutError (an AbortSignal gave up): unreachable', async () => {
    for (const name of ['AbortError', 'TimeoutError']) {
      const aborted: SyncTransport = {
        push: async () => Promise.reject(new DOMException('The operation was aborted.', name)),
        pull: async () => Promise.reject(new DOMException('The operation was aborted.', name)),
      }
      expect(await statusAfterSync({ transport: aborted, online: () => true })).toMatchObject({ connection: 'unreachable', problem: null })
    }
  })

  it('an error that says nothing of the network: a problem with its name and message, offline while the browser is', async () => {
    const broken: SyncTransport = {
      push: async () => Promise.reject(new RangeError('page size out of range')),
      pull: async () => Promise.reject(new RangeError('page size out of range')),
    }
    const online = await statusAfterSync({ transport: broken, online: () => true })
    expect(online).toMatchObject({ connection: 'connecting', problem: { code: 'RangeError', message: 'page size out of range' } })
    const offlineStatus = await statusAfterSync({ transport: broken, online: () => false })
    expect(offlineStatus).toMatchObject({ connection: 'offline', problem: { code: 'RangeError' } })
  })

  it('is the only thing taken for a network failure: the engine’s own TypeError (here, in onChanged) is a problem', async () => {
    const { cookie } = await server.signUp(`u${crypto.randomUUID()}@example.com`)
    const phone = await openDevice(server, cookie, 'phone')
    const laptop = await openDevice(server, cookie, 'laptop')
    await addItem(phone.repository, { cartId: crypto.randomUUID(), itemId: 'sencha', quantity: 1, price: 1200 })
    await phone.sync()
    laptop.engine['options'].onChanged = () => {
      throw new TypeError('the view is gone')
    }
    await laptop.sync()
    expect(laptop.engine.status).toMatchObject({ problem: { code: 'TypeError', message: 'the view is gone' } })
    expect(laptop.engine.status.connection).not.toBe('unreachable')
  })
})

describe('429 rate_limited: "later", not a problem', () => {
  it('through httpTransport: online with nothing wrong, the change waits, and the next try is when Retry-After says', async () => {
    const http = await import('node:http')
    const busy = http.createServer((_request, response) => {
      response.writeHead(429, { 'content-type': 'application/json', 'retry-after': '3' })
      response.end(JSON.stringify({ error: { code: 'rate_limited', message: 'Too much at once: try again in 3 s.' } }))
    })
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve))
    cleanups.push(() => new Promise<void>((resolve) => busy.close(() => resolve())))
    const { port } = busy.address() as { port: number }
    const at = new Date('2026-12-07T10:00:00.000Z')
    const status = await statusAfterSync({ transport: httpTransport({ baseUrl: `http://127.0.0.1:${port}` }), online: () => true, now: () => at })
    expect(status).toMatchObject({ connection: 'online', problem: null, pending: 1, retryAt: '2026-12-07T10:00:03.000Z' })
    expect(syncStateOf(status, status.pending, true)).toBe('waiting')
  })
})
