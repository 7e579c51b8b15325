// Push under real concurrency, on PostgreSQL (PGlite runs one statement at a time, so it cannot
// show a race): many devices of one user pushing to one stream at once.
import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { pull, push, type CommitResult } from './support/shopSync'
import { engines } from './support/engines'

const postgres = engines().find((engine) => engine.name === 'postgres')!

const added = (cartId: string) => ({
  eventId: randomUUID(),
  type: 'Cart.ItemAdded',
  data: { cartId, itemId: 'onigiri', quantity: 1, price: 600 },
  metadata: { correlationId: 'c' },
})

describe('push on PostgreSQL, 20 devices at once', () => {
  it('gives 20 concurrent commits to one stream unique, gapless stream and partition positions', async () => {
    const db = await postgres.open()
    const [user] = await db.query<{ id: string }>("INSERT INTO users (email, password_hash) VALUES ('many@example.com', 'x') RETURNING id")
    const userId = String(user!.id)
    const pushes = Array.from({ length: 20 }, (_, i) =>
      push(db, userId, { clientId: `device-${i}`, commits: [{ stream: 'Cart$shared', expectedVersion: 'any', events: [added('shared')] }] }),
    )
    const results = (await Promise.all(pushes)).map((answer) => answer.results[0] as CommitResult & { positions?: number[] })
    expect(results.map((result) => result.status)).toEqual(Array(20).fill('accepted'))
    const positions = results.flatMap((result) => result.positions ?? []).sort((a, b) => a - b)
    expect(positions).toEqual(Array.from({ length: 20 }, (_, i) => i))
    const pulled = await pull(db, userId, { after: 0, limit: 100 })
    expect(pulled.head).toBe(20)
    expect(pulled.events.map((event) => event.position)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1))
    expect(pulled.events.map((event) => event.streamPosition).sort((a, b) => a - b)).toEqual(positions)
  }, 60_000)

  it('lets exactly one of 20 concurrent commits expecting the same version in; the others conflict and store nothing', async () => {
    const db = await postgres.open()
    const [user] = await db.query<{ id: string }>("INSERT INTO users (email, password_hash) VALUES ('race@example.com', 'x') RETURNING id")
    const userId = String(user!.id)
    const pushes = Array.from({ length: 20 }, (_, i) =>
      push(db, userId, { clientId: `device-${i}`, commits: [{ stream: 'Cart$race', expectedVersion: -1, events: [added('race')] }] }),
    )
    const statuses = (await Promise.all(pushes)).map((answer) => answer.results[0]!.status)
    expect(statuses.filter((status) => status === 'accepted')).toHaveLength(1)
    expect(statuses.filter((status) => status === 'conflict')).toHaveLength(19)
    const [row] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM events WHERE stream = 'Cart$race'")
    expect(row!.n).toBe(1)
  }, 60_000)
})
