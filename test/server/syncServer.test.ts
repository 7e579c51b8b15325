// The server as a library, for an app that is not the shop (a Kanban board): createSyncServer with
// the app's rules, its projection with the table it owns, its route, its own sign-in (identify),
// the names it answers to, its start and close, and a PGlite folder one server at a time.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { catchUp, createSyncServer, DataDirInUse, pgliteDatabase, type ServerProjection, type SyncServer } from '../../src/server'
import { openPglite } from '../../src/server/db/pglite'
import { CardAdded, kanbanRules } from '../sync/testing/support/kanban'

const json = { 'content-type': 'application/json' }
const added = (boardId: string, cardId: string, title = cardId) => ({ eventId: crypto.randomUUID(), type: CardAdded.type, data: { boardId, cardId, title }, metadata: {} })
const pushOf = (commits: unknown[]) => JSON.stringify({ clientId: 'test', commits })

/** A read model of the app: cards per board, keyed by the partition the events are in. */
const cardCounts: ServerProjection = {
  name: 'card-counts',
  migrations: [{ name: 'card-counts/001', sql: 'CREATE TABLE card_counts (owner text NOT NULL, board_id text NOT NULL, cards integer NOT NULL, PRIMARY KEY (owner, board_id));' }],
  async handle(events, tx) {
    for (const event of events) {
      if (event.type !== CardAdded.type) continue
      const { boardId } = event.data as { boardId: string }
      await tx.query('INSERT INTO card_counts (owner, board_id, cards) VALUES ($1, $2, 1) ON CONFLICT (owner, board_id) DO UPDATE SET cards = card_counts.cards + 1', [event.partition, boardId])
    }
  },
}

/** The app's sessions, as a test stands them in: a bearer token names the user. */
const tokens = new Map<string, unknown>()
const identify = (request: Request) => (tokens.get(request.headers.get('authorization')?.replace(/^Bearer /, '') ?? '') ?? null) as string | null
const as = (token: string, init: RequestInit = {}): RequestInit => ({ ...init, headers: { ...json, ...(init.headers as Record<string, string>), authorization: `Bearer ${token}` } })

const servers: SyncServer[] = []
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()))
})

function kanbanServer(options: Partial<Parameters<typeof createSyncServer>[0]> = {}): SyncServer {
  const server = createSyncServer({
    rules: kanbanRules,
    database: pgliteDatabase(),
    identify,
    projections: [cardCounts],
    projectionRunner: { pollMs: 20 },
    pruning: false,
    routes: (app, { db, requireAccount }) => {
      app.get('/api/card-counts', requireAccount, async (c) =>
        c.json({ boards: await db.query('SELECT board_id, cards FROM card_counts WHERE owner = $1 ORDER BY board_id', [c.var.account.partition]) }),
      )
    },
    ...options,
  })
  servers.push(server)
  return server
}

describe('createSyncServer for an app of its own', () => {
  const server = kanbanServer()
  tokens.set('ann-token', 'ann@boards')
  tokens.set('bob-token', 'bob@boards')

  it('answers 500 before start, then applies the server’s migrations and the projection’s, once', async () => {
    expect((await server.request('http://localhost/api/sync/pull', as('ann-token'))).status).toBe(500)
    const { applied } = await server.start()
    expect(applied.at(-1)).toBe('card-counts/001')
    expect(applied).toContain('001_init.sql')
    expect(await server.start()).toEqual({ applied })
    // Another server on the same database finds nothing left to apply.
    const again = createSyncServer({ rules: kanbanRules, database: server.db, projections: [cardCounts], pruning: false })
    expect(await again.start()).toEqual({ applied: [] })
    await again.close()
    expect((await server.request('http://localhost/api/health')).status).toBe(200)
  }, 60_000)

  it('takes an identified user’s events by the app’s rules, stamped with the app’s user id, and refuses what its commands would not make', async () => {
    const board = crypto.randomUUID()
    const first = await server.request('http://localhost/api/sync/push', as('ann-token', { method: 'POST', body: pushOf([{ stream: `Board$${board}`, expectedVersion: 'none', events: [added(board, 'c1'), added(board, 'c2')] }]) }))
    expect(await first.json()).toEqual({ results: [{ status: 'accepted', positions: [0, 1], head: 2 }], head: 2 })
    const twice = await server.request('http://localhost/api/sync/push', as('ann-token', { method: 'POST', body: pushOf([{ stream: `Board$${board}`, expectedVersion: 1, events: [added(board, 'c1')] }]) }))
    expect(await twice.json()).toMatchObject({ results: [{ status: 'rejected', reason: 'invalid', message: expect.stringContaining('c1') }], head: 2 })
    const unknown = await server.request(
      'http://localhost/api/sync/push',
      as('ann-token', { method: 'POST', body: pushOf([{ stream: `Board$${board}`, expectedVersion: 1, events: [{ ...added(board, 'c3'), type: 'Board.CardBurned' }] }]) }),
    )
    expect(await unknown.json()).toMatchObject({ results: [{ status: 'rejected', reason: 'unknown_type' }] })

    const pulled = (await (await server.request('http://localhost/api/sync/pull', as('ann-token'))).json()) as { events: Array<{ metadata: Record<string, unknown> }>; head: number }
    expect(pulled.head).toBe(2)
    expect(pulled.events.map((event) => event.metadata.userId)).toEqual(['ann@boards', 'ann@boards'])
  })

  it('keeps each identified user to their own partition: another user pulls nothing of it and may not write its stream', async () => {
    const board = crypto.randomUUID()
    await server.request('http://localhost/api/sync/push', as('ann-token', { method: 'POST', body: pushOf([{ stream: `Board$${board}`, expectedVersion: 'none', events: [added(board, 'c1')] }]) }))
    const bobs = (await (await server.request('http://localhost/api/sync/pull', as('bob-token'))).json()) as { events: unknown[]; head: number }
    expect(bobs).toEqual({ events: [], head: 0, hasMore: false })
    const intrusion = await server.request('http://localhost/api/sync/push', as('bob-token', { method: 'POST', body: pushOf([{ stream: `Board$${board}`, expectedVersion: 'any', events: [added(board, 'c9')] }]) }))
    expect(await intrusion.json()).toEqual({ results: [{ status: 'rejected', reason: 'forbidden', message: `This account may not write to the stream Board$${board}.` }], head: 0 })
  })

  it('keeps the projection’s read model from every push and serves it on the app’s route, to its user only', async () => {
    const board = `counted-${crypto.randomUUID()}`
    await server.request('http://localhost/api/sync/push', as('bob-token', { method: 'POST', body: pushOf([{ stream: `Board$${board}`, expectedVersion: 'none', events: [added(board, 'c1'), added(board, 'c2'), added(board, 'c3')] }]) }))
    const countsOf = async (token: string) => ((await (await server.request('http://localhost/api/card-counts', as(token))).json()) as { boards: Array<{ board_id: string; cards: number }> }).boards
    // Whatever the server's runner has applied by now, the rest is applied here, once (checkpointed).
    await catchUp(server.db, cardCounts)
    expect(await countsOf('bob-token')).toEqual([{ board_id: board, cards: 3 }])
    expect((await countsOf('ann-token')).some((row) => row.board_id === board)).toBe(false)
    expect((await server.request('http://localhost/api/card-counts')).status).toBe(401)
  })

  it('has no email accounts when the app identifies its users: /api/auth is not found, nobody is 401', async () => {
    const signup = await server.request('http://localhost/api/auth/signup', { method: 'POST', headers: json, body: JSON.stringify({ email: 'eve@example.com', password: 'correct horse' }) })
    expect(signup.status).toBe(404)
    const nobody = await server.request('http://localhost/api/sync/pull')
    expect([nobody.status, ((await nobody.json()) as { error: { code: string } }).error.code]).toEqual([401, 'unauthenticated'])
  })

  it('answers 500 and stores nothing when identify gives something that is not a user id', async () => {
    tokens.set('broken', 42)
    const broken = await server.request('http://localhost/api/sync/pull', as('broken'))
    expect([broken.status, ((await broken.json()) as { error: { code: string } }).error.code]).toEqual([500, 'internal'])
  })

  it('ends a live stream at its heartbeat once identify no longer names its user', async () => {
    const live = kanbanServer({ live: { heartbeatMs: 20 } })
    await live.start()
    tokens.set('carol-token', 'carol@boards')
    const response = await live.request('http://localhost/api/sync/live', as('carol-token'))
    expect(response.status).toBe(200)
    const reader = response.body!.getReader()
    const text = new TextDecoder()
    let seen = ''
    while (!seen.includes('event: head')) seen += text.decode((await reader.read()).value)
    tokens.delete('carol-token')
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) seen += text.decode(chunk.value)
    expect(seen).toContain('data: {"head":0}')
    expect((await live.request('http://localhost/api/sync/live', as('carol-token'))).status).toBe(401)
  }, 60_000)
})

describe('createSyncServer’s defaults', () => {
  it('answers to addresses and localhost only, unless origins lists the server’s names', async () => {
    const db = await openPglite()
    const own = createSyncServer({ rules: kanbanRules, database: db, pruning: false })
    await own.start()
    const named = createSyncServer({ rules: kanbanRules, database: db, pruning: false, origins: ['https://boards.example'] })
    const statusOf = async (app: SyncServer, url: string) => (await app.request(url)).status
    expect([await statusOf(own, 'http://localhost/api/health'), await statusOf(own, 'http://127.0.0.1:9/api/health'), await statusOf(own, 'http://boards.example/api/health')]).toEqual([200, 200, 403])
    expect(await statusOf(named, 'https://boards.example/api/health')).toBe(200)
    await own.close()
    await db.close()
  }, 60_000)

  it('opens a PGlite folder one server at a time, and lets it go on close', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kiroku-server-'))
    try {
      const first = createSyncServer({ rules: kanbanRules, database: pgliteDatabase(join(dir, 'db')), pruning: false })
      await first.start()
      const second = createSyncServer({ rules: kanbanRules, database: pgliteDatabase(join(dir, 'db')), pruning: false })
      await expect(second.start()).rejects.toBeInstanceOf(DataDirInUse)
      await first.close()
      const third = createSyncServer({ rules: kanbanRules, database: pgliteDatabase(join(dir, 'db')), pruning: false })
      expect((await third.start()).applied).toEqual([])
      await third.close()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 60_000)
})
