// The kit with an app's own sign-in: the server's `identify` finds the user in a header, so users
// need no sign-up; each user's devices converge on their own log, apart from other users'.
import { afterEach, describe, expect, it } from 'vitest'
import { openEventStore } from '../../../src/eventstore'
import { syncWorld, SyncWorldSetupError, type SyncWorld } from '../../../src/sync/testing'
import { Board, kanbanSync } from './support/kanban'
import { identifyByHeader, kanbanServer, USER_HEADER } from './support/kanbanServer'
import { kanbanView } from './support/views'

const server = kanbanServer({ identify: identifyByHeader })
const worlds: SyncWorld[] = []
afterEach(async () => {
  await Promise.all(worlds.splice(0).map((w) => w.close()))
})

const byHeader = () => {
  const seen: string[] = []
  const w = syncWorld({
    server: server(),
    definition: kanbanSync,
    signIn: {
      headers: (user) => {
        seen.push(user.name)
        return { [USER_HEADER]: user.id }
      },
    },
  })
  worlds.push(w)
  return { w, seen }
}

describe('syncWorld with the app’s own sign-in', () => {
  it('names users by the headers the server’s identify reads; each user converges on their own log', async () => {
    const { w, seen } = byHeader()
    const alice = await w.user('alice')
    const bob = await w.user('bob')
    expect(seen).toEqual(['alice', 'bob'])
    expect(alice.id).toMatch(/^alice-/)
    expect(alice.email).toBeUndefined()
    const [phone, laptop, tablet] = [await alice.device('phone'), await alice.device('laptop'), await bob.device('tablet')]
    const aliceBoard = crypto.randomUUID()
    const bobBoard = crypto.randomUUID()
    await phone.repository.withAggregate(Board, aliceBoard, (board) => board.add('a1', 'Alice’s'))
    await tablet.repository.withAggregate(Board, bobBoard, (board) => board.add('b1', 'Bob’s'))
    await w.settle()
    const { server: streams } = await w.assertConverged({ readModel: kanbanView })
    expect([...(streams.get('alice')?.keys() ?? [])]).toEqual([`Board$${aliceBoard}`])
    expect([...(streams.get('bob')?.keys() ?? [])]).toEqual([`Board$${bobBoard}`])
    expect([...(await laptop.streams()).keys()]).toEqual([`Board$${aliceBoard}`])
    expect(await alice.serverHead()).toBe(1)
  })

  it('says what to do when the server has no accounts to sign up with', async () => {
    const w = syncWorld({ server: server(), definition: kanbanSync })
    worlds.push(w)
    const failure = await w.user('alice').catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(SyncWorldSetupError)
    expect((failure as Error).message).toMatch(/refused to sign alice up \(404.*signIn: \{ headers \}/)
  })

  it('refuses a store opened without sync’s tables, naming them', async () => {
    let closed = false
    const w = syncWorld({
      server: server(),
      definition: kanbanSync,
      signIn: { headers: (user) => ({ [USER_HEADER]: user.id }) },
      openStore: async (name) => ({ store: await openEventStore({ name, channel: false }), close: () => void (closed = true) }),
    })
    worlds.push(w)
    const alice = await w.user('alice')
    await expect(alice.device('phone')).rejects.toThrow(/has no sync tables: add syncTables to its readModels/)
    expect(closed).toBe(true)
    expect(w.devices).toEqual([])
  })
})
