// The browser's calls of spaces against the real server in-process: making a space, inviting,
// joining by the link's token, members and roles, leaving, the log of changes, a pull of the
// space through the transport, and the protocol's refusals as SyncServerErrors.
import { describe, expect, it } from 'vitest'
import { httpTransport, SpacesClient, SyncServerError, type Fetch } from '../../src/sync'
import { testServer } from './support/devices'

const server = testServer()
const BASE = 'http://kiroku.test'

async function person(name: string) {
  const { userId, cookie } = await server.signUp(`${name}-${crypto.randomUUID()}@example.com`)
  const fetch: Fetch = (url, init) => {
    const headers = new Headers(init?.headers)
    headers.set('cookie', cookie)
    return Promise.resolve(server.app.request(url, { ...init, headers }))
  }
  return { userId, spaces: new SpacesClient({ baseUrl: BASE, fetch }), transport: httpTransport({ baseUrl: BASE, fetch }) }
}

const refusal = (promise: Promise<unknown>) => promise.then(() => 'kept', (error: unknown) => (error instanceof SyncServerError ? [error.status, error.code] : error))

describe('SpacesClient', () => {
  it('makes a space, invites by a link, lets the invitee join, lists members, changes a role and leaves', async () => {
    const ann = await person('ann')
    const bob = await person('bob')
    const space = await ann.spaces.create('  Household ')
    expect(space).toMatchObject({ name: 'Household', role: 'owner', personal: false, head: 0 })
    const invitation = await ann.spaces.invite(space.id, { role: 'editor', maxUses: 1 })
    expect(invitation.url).toBe(`${BASE}/#/join/${invitation.token}`)
    expect(await bob.spaces.accept(invitation.token)).toMatchObject({ id: space.id, role: 'editor' })
    expect((await bob.spaces.list()).map((s) => [s.personal, s.role])).toEqual([
      [true, 'owner'],
      [false, 'editor'],
    ])
    expect((await ann.spaces.members(space.id)).map((m) => [m.userId, m.role])).toEqual([
      [ann.userId, 'owner'],
      [bob.userId, 'editor'],
    ])
    expect(await ann.spaces.setRole(space.id, bob.userId, 'viewer')).toMatchObject({ userId: bob.userId, role: 'viewer' })
    await bob.spaces.remove(space.id, bob.userId)
    expect((await ann.spaces.changes(space.id)).map((c) => c.change)).toEqual(['created', 'joined', 'role_changed', 'left'])
    expect(await refusal(bob.spaces.members(space.id))).toEqual([404, 'not_found'])
  })

  it('pulls a space it is a member of through the transport, and is told not_found for one it is not', async () => {
    const ann = await person('ann')
    const eve = await person('eve')
    const space = await ann.spaces.create('Ann’s')
    const cartId = crypto.randomUUID()
    const pushed = await ann.transport.push({
      clientId: 'ann',
      commits: [{ space: space.id, stream: `Cart$${cartId}`, expectedVersion: 'none', events: [{ eventId: crypto.randomUUID(), type: 'Cart.ItemAdded', data: { cartId, itemId: 'sencha', quantity: 1, price: 1200 }, metadata: {} }] }],
    })
    expect(pushed.results).toEqual([{ status: 'accepted', positions: [0], head: 1 }])
    const page = await ann.transport.pull(0, 10, space.id)
    expect(page.events.map((event) => [event.position, event.stream, event.metadata.spaceId])).toEqual([[1, `Cart$${cartId}`, space.id]])
    expect(await refusal(eve.transport.pull(0, 10, space.id))).toEqual([404, 'not_found'])
  })

  it('refuses the last owner’s leaving and a viewer’s invitation with the protocol’s codes', async () => {
    const ann = await person('ann')
    const bob = await person('bob')
    const space = await ann.spaces.create('Kept')
    expect(await refusal(ann.spaces.remove(space.id, ann.userId))).toEqual([409, 'last_owner'])
    await bob.spaces.accept((await ann.spaces.invite(space.id, { role: 'viewer' })).token)
    expect(await refusal(bob.spaces.invite(space.id, { role: 'editor' }))).toEqual([403, 'forbidden'])
  })
})
