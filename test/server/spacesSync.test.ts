// Push and pull in spaces (DESIGN.md "Spaces"), on both engines: a commit that names a space goes
// to it when the account is an owner or editor of it, its events carry the space's id and their
// author, positions are gapless per space, a stream stays in the space it was first written to,
// and an account that is not a member (a viewer, for pushes) is told nothing of the space.
import { randomUUID } from 'node:crypto'
import { beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { signup } from '../../src/server/accounts'
import type { Db } from '../../src/server/db/Db'
import { ProtocolError } from '../../src/server/protocol'
import { acceptInvitation, createSpace, invite, removeMember, setRole } from '../../src/server/spaces'
import { engines } from './support/engines'
import { pull, push } from './support/shopSync'

const ENGINES = engines()

let db: Db
let emails = 0
const newUser = async () => (await signup(db, `member${++emails}@example.com`, 'correct horse')).id

const added = (cartId: string, eventId: string = randomUUID()) => ({ eventId, type: 'Cart.ItemAdded', data: { cartId, itemId: 'sencha', quantity: 1, price: 1200 }, metadata: {} })
const commit = (stream: string, events: unknown[], space?: string, expectedVersion: unknown = 'any') => ({ ...(space === undefined ? {} : { space }), stream, expectedVersion, events })
const pushed = (userId: string, ...commits: unknown[]) => push(db, userId, { clientId: 'device', commits })
const forbidden = (stream: string) => ({ status: 'rejected', reason: 'forbidden', message: `This account may not write to the stream ${stream}.` })

/** A shared space of `owner`'s with an editor and a viewer who joined by invitation. */
async function household() {
  const [owner, editor, viewer, stranger] = [await newUser(), await newUser(), await newUser(), await newUser()]
  const space = await createSpace(db, owner, 'Household')
  await acceptInvitation(db, editor, (await invite(db, owner, space.id, { role: 'editor' })).token)
  await acceptInvitation(db, viewer, (await invite(db, owner, space.id, { role: 'viewer' })).token)
  return { owner, editor, viewer, stranger, space: space.id }
}

describe.each(ENGINES)('push and pull in spaces on $name', (engine) => {
  beforeAll(async () => {
    db = await engine.open()
  }, 60_000)

  beforeEach(async () => {
    await db.query('TRUNCATE users, partitions, streams, events, spaces CASCADE')
  })

  it('stores an editor’s and the owner’s commits in the space, numbered per space, by author, and leaves their personal heads alone', async () => {
    const { owner, editor, space } = await household()
    const cartId = randomUUID()
    const first = await pushed(editor, commit(`Cart$${cartId}`, [added(cartId), added(cartId)], space, 'none'))
    expect(first).toEqual({ results: [{ status: 'accepted', positions: [0, 1], head: 2 }], head: 0 })
    const second = await pushed(owner, commit(`Cart$${cartId}`, [added(cartId)], space, 1))
    expect(second).toEqual({ results: [{ status: 'accepted', positions: [2], head: 3 }], head: 0 })

    const page = await pull(db, owner, { space })
    expect(page.head).toBe(3)
    expect(page.events.map((event) => [event.position, event.streamPosition, event.metadata.userId, event.metadata.spaceId])).toEqual([
      [1, 0, editor, space],
      [2, 1, editor, space],
      [3, 2, owner, space],
    ])
    // The personal spaces hold none of it.
    expect(await pull(db, owner, {})).toEqual({ events: [], head: 0, hasMore: false })
    expect(await pull(db, editor, {})).toEqual({ events: [], head: 0, hasMore: false })
  })

  it('answers a retried commit in a space as a duplicate, whoever of its writers retries it', async () => {
    const { editor, owner, space } = await household()
    const cartId = randomUUID()
    const events = [added(cartId), added(cartId)]
    await pushed(editor, commit(`Cart$${cartId}`, events, space, 'none'))
    expect((await pushed(editor, commit(`Cart$${cartId}`, events, space, 'none'))).results).toEqual([{ status: 'duplicate', positions: [0, 1] }])
    expect((await pushed(owner, commit(`Cart$${cartId}`, events, space, 'none'))).results).toEqual([{ status: 'duplicate', positions: [0, 1] }])
  })

  it('refuses a viewer’s push, a stranger’s and one to a space that does not exist, alike, and stores nothing', async () => {
    const { viewer, stranger, space } = await household()
    const cartId = randomUUID()
    const stream = `Cart$${cartId}`
    for (const [who, where] of [
      [viewer, space],
      [stranger, space],
      [stranger, 'no-such-space'],
    ] as const) {
      expect((await pushed(who, commit(stream, [added(cartId)], where))).results).toEqual([forbidden(stream)])
    }
    expect((await pull(db, viewer, { space })).events).toEqual([])
  })

  it('keeps a stream in the space it was first written to: not moved into a shared space, nor out of it', async () => {
    const { owner, editor, space } = await household()
    const mine = randomUUID()
    const ours = randomUUID()
    await pushed(owner, commit(`Cart$${mine}`, [added(mine)]))
    await pushed(editor, commit(`Cart$${ours}`, [added(ours)], space))
    expect((await pushed(owner, commit(`Cart$${mine}`, [added(mine)], space))).results).toEqual([forbidden(`Cart$${mine}`)])
    expect((await pushed(owner, commit(`Cart$${ours}`, [added(ours)]))).results).toEqual([forbidden(`Cart$${ours}`)])
  })

  it('lets every member pull the space, a viewer too, and answers anyone else as for a space that does not exist', async () => {
    const { viewer, stranger, editor, space } = await household()
    const cartId = randomUUID()
    await pushed(editor, commit(`Cart$${cartId}`, [added(cartId)], space))
    expect((await pull(db, viewer, { space })).events).toHaveLength(1)
    const refusals = await Promise.all([pull(db, stranger, { space }), pull(db, stranger, { space: 'no-such-space' })].map((p) => p.catch((error: unknown) => error)))
    for (const refusal of refusals) {
      expect(refusal).toBeInstanceOf(ProtocolError)
      expect((refusal as ProtocolError).toJSON()).toEqual({ error: { code: 'not_found', message: 'Not found.' } })
    }
  })

  it('answers a removed member’s next pull and push as a stranger’s, and a demoted editor’s push as a viewer’s', async () => {
    const { owner, editor, viewer, space } = await household()
    const cartId = randomUUID()
    await pushed(editor, commit(`Cart$${cartId}`, [added(cartId)], space))
    await setRole(db, owner, space, editor, 'viewer')
    expect((await pushed(editor, commit(`Cart$${cartId}`, [added(cartId)], space))).results).toEqual([forbidden(`Cart$${cartId}`)])
    await removeMember(db, owner, space, viewer)
    await expect(pull(db, viewer, { space })).rejects.toMatchObject({ code: 'not_found' })
    expect((await pushed(viewer, commit(`Cart$${cartId}`, [added(cartId)], space))).results).toEqual([forbidden(`Cart$${cartId}`)])
  })

  it('counts a space’s events against the space’s quota, not its writer’s', async () => {
    const { editor, space } = await household()
    const cartId = randomUUID()
    const limits = { accountBytes: 2_000 }
    const big = { ...added(cartId), metadata: { note: 'x'.repeat(900) } }
    await push(db, editor, { clientId: 'device', commits: [commit(`Cart$${cartId}`, [big], space)] }, { limits })
    // The space is near its quota; the editor's own space is empty and takes the same.
    const own = randomUUID()
    const mineToo = { ...added(own), metadata: { note: 'x'.repeat(900) } }
    expect((await push(db, editor, { clientId: 'device', commits: [commit(`Cart$${own}`, [mineToo])] }, { limits })).results[0]).toMatchObject({ status: 'accepted' })
    const over = push(db, editor, { clientId: 'device', commits: [commit(`Cart$${cartId}`, [{ ...big, eventId: randomUUID() }], space)] }, { limits })
    await expect(over).rejects.toMatchObject({ code: 'too_large' })
  })
})
