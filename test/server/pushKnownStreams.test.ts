// A push judges a commit on the stream's stored events; the process keeps those it saw committed
// and reads only what came after (server/sync/push.ts, KnownStreams). These tests show that the
// domain's check still sees the whole stream as stored: after another process's commits, and
// after the database under the same handle was made anew.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Db } from '../../src/server/db/Db'
import { migrate } from './support/shopMigrate'
import { openPostgres } from '../../src/server/db/postgres'
import { push } from './support/shopSync'
import { engines, postgresDatabase } from './support/engines'

engines()

const added = (cartId: string, itemId = 'sencha', price = 1200, quantity = 1) => ({ eventId: crypto.randomUUID(), type: 'Cart.ItemAdded', data: { cartId, itemId, quantity, price }, metadata: {} })
const removed = (cartId: string, itemId = 'sencha') => ({ eventId: crypto.randomUUID(), type: 'Cart.ItemRemoved', data: { cartId, itemId }, metadata: {} })
const commit = (stream: string, expectedVersion: number | 'any', ...events: unknown[]) => ({ clientId: 'device', commits: [{ stream, expectedVersion, events }] })

async function addUser(db: Db, email: string): Promise<string> {
  const [row] = await db.query<{ id: string | number }>("INSERT INTO users (email, password_hash) VALUES ($1, 'x') RETURNING id", [email])
  return String(row?.id)
}

describe('the stored events a push judges a commit on', () => {
  const handles: Db[] = []
  let one: Db
  let two: Db
  let user: string

  beforeAll(async () => {
    const url = await postgresDatabase()
    ;[one, two] = [await openPostgres(url), await openPostgres(url)]
    handles.push(one, two)
    await migrate(one)
    user = await addUser(one, 'ann@example.com')
  }, 120_000)
  afterAll(async () => {
    await Promise.all(handles.map((db) => db.close()))
  })

  it("include what another process stored after this one's last commit to the stream", async () => {
    expect((await push(one, user, commit('Cart$k1', -1, added('k1')))).results[0]).toMatchObject({ status: 'accepted', positions: [0] })
    // Another server process removes the item, then adds it twice more: 2 in the cart.
    expect((await push(two, user, commit('Cart$k1', 0, removed('k1'), added('k1'), added('k1')))).results[0]).toMatchObject({ status: 'accepted', positions: [1, 2, 3] })
    // This process knew only position 0 (1 in the cart): 98 more would fit that, not the stored 2.
    const refused = await push(one, user, commit('Cart$k1', 3, added('k1', 'sencha', 1200, 98)))
    expect(refused.results[0]).toMatchObject({ status: 'rejected', reason: 'invalid' })
    expect((await push(one, user, commit('Cart$k1', 3, added('k1', 'sencha', 1200, 97)))).results[0]).toMatchObject({ status: 'accepted', positions: [4] })
    // And the removal another process made is seen: removing twice is refused.
    expect((await push(one, user, commit('Cart$k1', 4, removed('k1'), removed('k1')))).results[0]).toMatchObject({ status: 'rejected', reason: 'invalid' })
  })

  it('are read anew when the database under the same handle was made anew', async () => {
    expect((await push(one, user, commit('Cart$k2', -1, added('k2', 'matcha', 2800), added('k2', 'hojicha', 900)))).results[0]).toMatchObject({ status: 'accepted' })
    await one.query('TRUNCATE users, partitions, streams, events RESTART IDENTITY CASCADE')
    user = await addUser(one, 'ann@example.com')
    // The same stream again, now holding hojicha only; what was known of it before must not count.
    expect((await push(one, user, commit('Cart$k2', -1, added('k2', 'hojicha', 900)))).results[0]).toMatchObject({ status: 'accepted', positions: [0] })
    expect((await push(one, user, commit('Cart$k2', 0, removed('k2', 'matcha')))).results[0]).toMatchObject({ status: 'rejected', reason: 'invalid' })
    expect((await push(one, user, commit('Cart$k2', 0, removed('k2', 'hojicha')))).results[0]).toMatchObject({ status: 'accepted', positions: [1] })
  })
})
