// The sync test kit on an app that is not the shop (Kanban boards and sprints), against the
// library's server in-process on in-memory PGlite: devices offline, concurrent edits, rebase, a
// refusal reported, lost answers, a new leader, and the kit's own failures (never settling,
// not converging) saying what is wrong.
import { afterEach, describe, expect, it } from 'vitest'
import { ProjectionRunner, type EventStore, openEventStore } from '../../../src/eventstore'
import { defineSync, syncTables } from '../../../src/sync'
import { NotConvergedError, SyncDidNotSettleError, syncWorld, type SimulatedDevice, type SyncWorld, type SyncWorldOptions } from '../../../src/sync/testing'
import { Board, CardAdded, CardMoved, CARDS, cardsProjection, kanbanReadModels, kanbanSync, Sprint, SprintClosed, type CardRow, type Column } from './support/kanban'
import { kanbanServer } from './support/kanbanServer'
import { kanbanView } from './support/views'

const server = kanbanServer()
const worlds: SyncWorld[] = []

function world(options: Partial<SyncWorldOptions> = {}): SyncWorld {
  const made = syncWorld({ server: server(), definition: kanbanSync, ...options })
  worlds.push(made)
  return made
}

afterEach(async () => {
  await Promise.all(worlds.splice(0).map((w) => w.close()))
})

const readModel = kanbanView

/** A board with these cards (in todo), written on `device` and synced. */
async function boardWith(device: SimulatedDevice, cards: string[]) {
  const boardId = crypto.randomUUID()
  await device.repository.withAggregate(Board, boardId, (board) => cards.forEach((card) => board.add(card, `Card ${card}`)))
  await device.sync()
  return boardId
}

const move = (device: SimulatedDevice, boardId: string, cardId: string, column: Column) =>
  device.repository.withAggregate(Board, boardId, (board) => board.move(cardId, column))

describe('syncWorld', () => {
  it('rebases two devices’ offline edits of one board: the same everywhere, and what the rebase dropped is reported', async () => {
    const w = world()
    const alice = await w.user('alice')
    const phone = await alice.device('phone')
    const laptop = await alice.device('laptop')
    const boardId = await boardWith(phone, ['c1', 'c2', 'c3'])
    await laptop.sync()
    phone.goOffline()
    laptop.goOffline()
    await move(phone, boardId, 'c1', 'doing')
    await move(phone, boardId, 'c2', 'doing')
    // Fine on the laptop, which has seen neither move: one card doing.
    await move(laptop, boardId, 'c3', 'doing')
    await move(laptop, boardId, 'c1', 'done')
    await Promise.all([phone.sync(), laptop.sync()])
    expect(phone.engine.status).toMatchObject({ connection: 'offline', pending: 2 })
    expect(phone.requests.at(-1)).toMatch(/\(offline\)$/)

    const { rounds } = await w.settle()
    expect(rounds).toBeLessThanOrEqual(3)
    const converged = await w.assertConverged({ readModel })
    expect(converged.converged).toBe(true)
    // The laptop's move of c3 would have made three cards doing: dropped; its move of c1 still stands.
    const board = await laptop.repository.load(Board, boardId)
    expect(board.cards).toEqual({ c1: { title: 'Card c1', column: 'done' }, c2: { title: 'Card c2', column: 'doing' }, c3: { title: 'Card c3', column: 'todo' } })
    const reports = await w.reports()
    expect(reports.get('alice/phone')).toEqual([])
    expect(reports.get('alice/laptop')).toEqual([
      expect.objectContaining({ kind: 'dropped', stream: `Board$${boardId}`, type: CardMoved.type, data: { boardId, cardId: 'c3', column: 'doing' }, reason: expect.objectContaining({ code: 'wip_limit' }) }),
    ])
    expect(laptop.rewrites).toBeGreaterThan(0)
    expect(converged.server.get('alice')?.get(`Board$${boardId}`)?.map((event) => event.type)).toEqual([...Array(3).fill(CardAdded.type), ...Array(3).fill(CardMoved.type)])
  })

  it('takes out a sprint closed on two devices (a reject stream): the later close is reported as rejected, not lost', async () => {
    const w = world()
    const bob = await w.user('bob')
    const [phone, laptop] = [await bob.device('phone'), await bob.device('laptop')]
    const sprintId = crypto.randomUUID()
    await phone.repository.handle(Sprint, sprintId, { type: 'Start', sprintId, goal: 'ship it' })
    await phone.sync()
    await laptop.sync()
    phone.goOffline()
    laptop.goOffline()
    await phone.repository.handle(Sprint, sprintId, { type: 'Close', sprintId })
    await laptop.repository.handle(Sprint, sprintId, { type: 'Close', sprintId })
    await w.settle()
    await w.assertConverged({ readModel })
    expect(await laptop.reports()).toEqual([expect.objectContaining({ kind: 'rejected', stream: `Sprint$${sprintId}`, type: SprintClosed.type, reason: expect.objectContaining({ code: 'conflict' }) })])
    expect((await laptop.repository.loadState(Sprint, sprintId)).state.status).toBe('closed')
  })

  it('reports events the server refuses, with its reason, and converges without them', async () => {
    const w = world()
    const carol = await w.user('carol')
    const tablet = await carol.device('tablet')
    const boardId = await boardWith(tablet, ['c1'])
    const sprintId = crypto.randomUUID()
    // Written past the app's commands (as a bug or an old version of the app might): the server's rules refuse both.
    await tablet.store.append(CardMoved({ boardId, cardId: 'nope', column: 'done' }), { stream: `Board$${boardId}`, expectedVersion: 0 })
    await tablet.store.append(SprintClosed({ sprintId }), { stream: `Sprint$${sprintId}`, expectedVersion: 'none' })
    await w.settle()
    await w.assertConverged({ readModel })
    const reports = await tablet.reports()
    expect(reports).toHaveLength(2)
    expect(reports).toContainEqual(expect.objectContaining({ kind: 'dropped', stream: `Board$${boardId}`, reason: expect.objectContaining({ code: 'invalid' }) }))
    expect(reports).toContainEqual(expect.objectContaining({ kind: 'rejected', stream: `Sprint$${sprintId}`, reason: expect.objectContaining({ code: 'invalid' }) }))
    expect([...(await carol.serverStreams()).keys()]).toEqual([`Board$${boardId}`])
  })

  it('loses a push’s answer after the server stored it: the device retries, the server keeps it once', async () => {
    const w = world()
    const dan = await w.user('dan')
    const phone = await dan.device('phone')
    const laptop = await dan.device('laptop')
    const boardId = await boardWith(phone, ['c1'])
    phone.loseNextAnswer()
    await move(phone, boardId, 'c1', 'doing')
    await phone.sync()
    expect(phone.lostAnswers).toBe(1)
    expect(phone.requests).toContain('POST /api/sync/push (answer lost)')
    expect(phone.engine.status).toMatchObject({ connection: 'unreachable', pending: 1 })
    // The server has it already.
    expect((await dan.serverStreams()).get(`Board$${boardId}`)).toHaveLength(2)
    await w.perform({ do: 'reload', device: 'dan/phone' })
    await w.settle()
    const { server: streams } = await w.assertConverged({ readModel })
    expect(streams.get('dan')?.get(`Board$${boardId}`)?.map((event) => event.type)).toEqual([CardAdded.type, CardMoved.type])
    expect((await laptop.repository.load(Board, boardId)).cards.c1?.column).toBe('doing')
  })

  it('settles a reloaded device that has nothing new to pull (its stored cursor counts, not a new engine’s first status)', async () => {
    const w = world()
    const jo = await w.user('jo')
    const phone = await jo.device('phone')
    await boardWith(phone, ['c1', 'c2'])
    await phone.reload()
    expect(await w.settle()).toEqual({ rounds: 1 })
    await w.assertConverged({ readModel })
  })

  it('runs the world’s steps: networks toggled, answers lost only when something was sent, devices by index or name', async () => {
    const w = world()
    const erin = await w.user('erin')
    const [a, b] = [await erin.device('a'), await erin.device('b')]
    expect(w.device(0)).toBe(a)
    expect(w.device(3)).toBe(b)
    expect(w.device('erin/b')).toBe(b)
    expect(() => w.device('erin/c')).toThrow(/erin\/a, erin\/b/)
    await w.perform({ do: 'toggle network', device: 1 })
    expect(b.network).toBe('offline')
    // Nothing waits: the push whose answer was to be lost is never sent, and nothing is lost later.
    await w.perform({ do: 'sync, losing the answer', device: 0 })
    expect(a.lostAnswers).toBe(0)
    expect(a.answersToLose).toBe(0)
    await boardWith(a, ['c1'])
    expect(a.lostAnswers).toBe(0)
    await w.perform({ do: 'sync', devices: [0, 1] })
    expect(b.engine.status.connection).toBe('offline')
    await w.perform({ do: 'sync, losing the answer', device: 1, of: 'pull' })
    expect(b.network).toBe('online')
    expect(b.lostAnswers).toBe(1)
    await w.settle()
    await w.assertConverged({ readModel })
  })

  it('keeps an app’s deferred projection by openStore and onChanged, rebuilt after a rebase, equal to a fresh device’s', async () => {
    const runners = new Map<EventStore, ProjectionRunner>()
    let databases = 0
    const w = world({
      openStore: async (name) => {
        databases++
        const store = await openEventStore({ name, readModels: { version: kanbanReadModels.version, stores: { ...kanbanReadModels.stores, ...syncTables } }, channel: false })
        const runner = new ProjectionRunner(store, [cardsProjection], { sleep: async () => undefined })
        await runner.start()
        runners.set(store, runner)
        return {
          store,
          close: async () => {
            runner.stop()
            await new Promise<void>((resolve) => {
              store.close()
              indexedDB.deleteDatabase(name).onsuccess = () => resolve()
            })
          },
        }
      },
      onChanged: async (device, { rewritten }) => {
        if (rewritten) await runners.get(device.store)?.rebuild(cardsProjection.name)
      },
    })
    const cardsOf = async (store: EventStore) => {
      await runners.get(store)?.notify()
      return (await store.db.table<CardRow, string>(CARDS).toArray()).sort((x, y) => (x.cardId < y.cardId ? -1 : 1))
    }
    const fay = await w.user('fay')
    const phone = await fay.device('phone')
    const laptop = await fay.device('laptop')
    const boardId = await boardWith(phone, ['c1', 'c2', 'c3'])
    await laptop.sync()
    phone.goOffline()
    laptop.goOffline()
    await move(phone, boardId, 'c1', 'doing')
    await move(phone, boardId, 'c2', 'doing')
    await move(laptop, boardId, 'c3', 'doing')
    expect((await cardsOf(laptop.store)).find((card) => card.cardId === 'c3')?.column).toBe('doing')
    await w.settle()
    await w.assertConverged({ readModel: cardsOf })
    expect(laptop.rewrites).toBeGreaterThan(0)
    expect((await cardsOf(laptop.store)).map((card) => card.column)).toEqual(['doing', 'doing', 'todo'])
    // Two devices and the fresh one the check opened (and closed).
    expect(databases).toBe(3)
  })

  it('says which device still waits, and why, when sync never settles', async () => {
    // The app's check has a bug (a TypeError, not a refusal): the stream is held, its changes kept and never sent.
    const buggy = defineSync({
      policies: kanbanSync.policies,
      check: () => {
        throw new TypeError('cards is undefined')
      },
    })
    const w = world({ definition: buggy })
    const gus = await w.user('gus')
    const phone = await gus.device('phone')
    const laptop = await gus.device('laptop')
    const boardId = await boardWith(phone, ['c1', 'c2'])
    await laptop.sync()
    phone.goOffline()
    laptop.goOffline()
    await move(phone, boardId, 'c1', 'doing')
    await move(laptop, boardId, 'c2', 'doing')
    const failure = await w.settle({ maxRounds: 3 }).catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(SyncDidNotSettleError)
    const { waiting, rounds, name } = failure as SyncDidNotSettleError
    expect(name).toBe('SyncDidNotSettleError')
    expect(rounds).toBe(3)
    expect(waiting).toHaveLength(1)
    expect(waiting[0]).toMatch(/^gus\/laptop: 1 change waiting \(Board\$.+: Board\.CardMoved\), a problem, check_failed: TypeError: cards is undefined/)
  })

  it('names each difference when a device does not agree with the server', async () => {
    const w = world()
    const hal = await w.user('hal')
    const phone = await hal.device('phone')
    const laptop = await hal.device('laptop')
    const boardId = await boardWith(phone, ['c1'])
    await w.settle()
    await w.assertConverged({ readModel })
    // A change made after settling, never synced: the laptop is ahead of the server and of a fresh device.
    await laptop.repository.withAggregate(Board, boardId, (board) => board.add('c2', 'late'))
    const found = await w.convergence({ readModel })
    expect(found.converged).toBe(false)
    expect(found.differences).toEqual([
      // Its engine has not looked since: the kit says what it knows, that an event is unseen.
      'hal/laptop is not settled: looked for local changes up to 1 of 2',
      expect.stringMatching(new RegExp(`^hal/laptop's Board\\$${boardId} has Board\\.CardAdded .+ at 1, past the server's last \\(0\\)$`)),
      expect.stringMatching(new RegExp(`^hal/laptop's read model differs from a fresh device's: boards\\.${boardId}\\.c2 \\{"title":"late","column":"todo"\\}, not nothing$`)),
      expect.stringMatching(/^hal\/laptop wrote event .+, which is neither on the server nor in its reports$/),
    ])
    await expect(w.assertConverged({ readModel })).rejects.toBeInstanceOf(NotConvergedError)
    expect(phone.closed).toBe(false)
  })

  it('closes every device: engines stopped, stores closed, the databases it made deleted', async () => {
    const w = syncWorld({ server: server(), definition: kanbanSync })
    const ivy = await w.user('ivy')
    const phone = await ivy.device('phone')
    await boardWith(phone, ['c1'])
    const name = phone.store.name
    await w.close()
    expect(phone.closed).toBe(true)
    expect(phone.store.isClosed).toBe(true)
    expect((await indexedDB.databases()).map((database) => database.name)).not.toContain(name)
  })
})
