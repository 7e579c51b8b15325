// The spaces' routes (DESIGN.md "Spaces") black-box through the app, on both engines: signed-in
// accounts only; a space's non-member gets the answer of a space that does not exist on every
// route; a member without the role gets 403 `forbidden`; the last owner stays (409 `last_owner`).
import { beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Db } from '../../src/server/db/Db'
import { createApp, type App } from './support/shopApp'
import { engines } from './support/engines'

const ENGINES = engines()
const BASE = 'http://kiroku.test'

let db: Db
let app: App
let emails = 0

interface Account {
  id: string
  email: string
  cookie: string
}

async function call(who: Account | null, method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const headers: Record<string, string> = { ...(who === null ? {} : { cookie: who.cookie }), ...(body === undefined ? {} : { 'content-type': 'application/json' }) }
  const response = await app.request(`${BASE}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
  const text = await response.text()
  return { status: response.status, body: text === '' ? null : JSON.parse(text) }
}

async function newAccount(): Promise<Account> {
  const email = `member${++emails}@example.com`
  const response = await app.request(`${BASE}/api/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'correct horse' }),
  })
  expect(response.status).toBe(201)
  const { user } = (await response.json()) as { user: { id: string } }
  return { id: user.id, email, cookie: response.headers.getSetCookie()[0]!.split(';')[0]! }
}

const errorCode = (answer: { body: unknown }) => (answer.body as { error?: { code: string } }).error?.code

/** A space of `owner`'s with an editor and a viewer who joined by its links, and a stranger. */
async function household() {
  const [owner, editor, viewer, stranger] = [await newAccount(), await newAccount(), await newAccount(), await newAccount()]
  const made = await call(owner, 'POST', '/api/spaces', { name: 'Household' })
  expect(made.status).toBe(201)
  const space = (made.body as { space: { id: string } }).space.id
  for (const [who, role] of [
    [editor, 'editor'],
    [viewer, 'viewer'],
  ] as const) {
    const invited = await call(owner, 'POST', `/api/spaces/${space}/invitations`, { role })
    const { token } = (invited.body as { invitation: { token: string } }).invitation
    expect((await call(who, 'POST', `/api/invitations/${token}/accept`)).status).toBe(200)
  }
  return { owner, editor, viewer, stranger, space }
}

describe.each(ENGINES)('the spaces’ routes on $name', (engine) => {
  beforeAll(async () => {
    db = await engine.open()
    app = createApp({ db })
  }, 60_000)

  beforeEach(async () => {
    await db.query('TRUNCATE users, partitions, streams, events, spaces, login_attempts CASCADE')
  })

  it('make a space, invite to it by a link, let the invited join, list, change and remove members, and log it all', async () => {
    const [owner, guest] = [await newAccount(), await newAccount()]
    const made = await call(owner, 'POST', '/api/spaces', { name: 'Household' })
    expect(made).toEqual({ status: 201, body: { space: { id: expect.any(String), name: 'Household', role: 'owner', personal: false, head: 0 } } })
    const space = (made.body as { space: { id: string } }).space.id

    const listed = await call(owner, 'GET', '/api/spaces')
    expect(listed.status).toBe(200)
    expect((listed.body as { spaces: unknown[] }).spaces).toEqual([
      { id: expect.any(String), name: 'Personal', role: 'owner', personal: true, head: 0 },
      { id: space, name: 'Household', role: 'owner', personal: false, head: 0 },
    ])

    const invited = await call(owner, 'POST', `/api/spaces/${space}/invitations`, { role: 'editor', expiresInHours: 24, maxUses: 1 })
    expect(invited.status).toBe(201)
    const { invitation } = invited.body as { invitation: { token: string; role: string; expiresAt: string; url: string } }
    expect(invitation).toEqual({ token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), role: 'editor', expiresAt: expect.any(String), url: `${BASE}/#/join/${invitation.token}` })

    expect(await call(guest, 'POST', `/api/invitations/${invitation.token}/accept`)).toEqual({
      status: 200,
      body: { space: { id: space, name: 'Household', role: 'editor', personal: false, head: 0 } },
    })
    const members = await call(guest, 'GET', `/api/spaces/${space}/members`)
    expect(members).toEqual({
      status: 200,
      body: {
        members: [
          { userId: owner.id, email: owner.email, role: 'owner', joinedAt: expect.any(String) },
          { userId: guest.id, email: guest.email, role: 'editor', joinedAt: expect.any(String) },
        ],
      },
    })

    expect(await call(owner, 'PATCH', `/api/spaces/${space}/members/${guest.id}`, { role: 'viewer' })).toEqual({
      status: 200,
      body: { member: { userId: guest.id, email: guest.email, role: 'viewer', joinedAt: expect.any(String) } },
    })
    expect(await call(owner, 'DELETE', `/api/spaces/${space}/members/${guest.id}`)).toEqual({ status: 204, body: null })
    expect(((await call(owner, 'GET', `/api/spaces/${space}/members`)).body as { members: Array<{ userId: string }> }).members.map((m) => m.userId)).toEqual([owner.id])

    const changes = await call(owner, 'GET', `/api/spaces/${space}/changes`)
    expect(changes.status).toBe(200)
    expect((changes.body as { changes: Array<{ change: string; by: { userId: string }; member: { userId: string }; role: string | null }> }).changes.map((c) => [c.change, c.by.userId, c.member.userId, c.role])).toEqual([
      ['created', owner.id, owner.id, 'owner'],
      ['joined', guest.id, guest.id, 'editor'],
      ['role_changed', owner.id, guest.id, 'viewer'],
      ['removed', owner.id, guest.id, null],
    ])
  })

  it('answer 401 unauthenticated to nobody signed in', async () => {
    const { space, editor } = await household()
    for (const [method, path, body] of [
      ['GET', '/api/spaces'],
      ['POST', '/api/spaces', { name: 'x' }],
      ['POST', `/api/spaces/${space}/invitations`, { role: 'editor' }],
      ['POST', `/api/invitations/${'A'.repeat(43)}/accept`],
      ['GET', `/api/spaces/${space}/members`],
      ['PATCH', `/api/spaces/${space}/members/${editor.id}`, { role: 'viewer' }],
      ['DELETE', `/api/spaces/${space}/members/${editor.id}`],
      ['GET', `/api/spaces/${space}/changes`],
    ] as const) {
      expect([method, path, (await call(null, method, path, body)).status]).toEqual([method, path, 401])
    }
  })

  it('answer a non-member on every route of a space as for a space that does not exist, with the same body', async () => {
    const { space, editor, stranger } = await household()
    const routes = (id: string) =>
      [
        ['POST', `/api/spaces/${id}/invitations`, { role: 'editor' }],
        ['GET', `/api/spaces/${id}/members`],
        ['PATCH', `/api/spaces/${id}/members/${editor.id}`, { role: 'viewer' }],
        ['DELETE', `/api/spaces/${id}/members/${editor.id}`],
        ['GET', `/api/spaces/${id}/changes`],
      ] as const
    for (const id of [space, 'AAAAAAAAAAAAAAAAAAAAAA', encodeURIComponent('no such space')]) {
      for (const [method, path, body] of routes(id)) {
        expect([method, path, await call(stranger, method, path, body)]).toEqual([method, path, { status: 404, body: { error: { code: 'not_found', message: 'Not found.' } } }])
      }
    }
    expect(((await call(editor, 'GET', `/api/spaces/${space}/members`)).body as { members: unknown[] }).members).toHaveLength(3)
  })

  it('answer an editor and a viewer 403 forbidden on the owners’ routes', async () => {
    const { space, owner, editor, viewer } = await household()
    for (const who of [editor, viewer]) {
      const other = who === editor ? viewer : editor
      expect(errorCode(await call(who, 'POST', `/api/spaces/${space}/invitations`, { role: 'viewer' }))).toBe('forbidden')
      expect(errorCode(await call(who, 'PATCH', `/api/spaces/${space}/members/${other.id}`, { role: 'owner' }))).toBe('forbidden')
      expect(errorCode(await call(who, 'PATCH', `/api/spaces/${space}/members/${who.id}`, { role: 'owner' }))).toBe('forbidden')
      expect(errorCode(await call(who, 'DELETE', `/api/spaces/${space}/members/${owner.id}`))).toBe('forbidden')
    }
    const roles = ((await call(owner, 'GET', `/api/spaces/${space}/members`)).body as { members: Array<{ role: string }> }).members.map((m) => m.role)
    expect(roles).toEqual(['owner', 'editor', 'viewer'])
  })

  it('let a member leave (204), after which the space is not found for them', async () => {
    const { space, viewer } = await household()
    expect((await call(viewer, 'DELETE', `/api/spaces/${space}/members/${viewer.id}`)).status).toBe(204)
    expect(errorCode(await call(viewer, 'GET', `/api/spaces/${space}/members`))).toBe('not_found')
    expect(((await call(viewer, 'GET', '/api/spaces')).body as { spaces: Array<{ id: string }> }).spaces.map((s) => s.id)).not.toContain(space)
  })

  it('answer 409 last_owner when the last owner leaves or is demoted', async () => {
    const { space, owner } = await household()
    expect(await call(owner, 'DELETE', `/api/spaces/${space}/members/${owner.id}`)).toEqual({ status: 409, body: { error: { code: 'last_owner', message: expect.any(String) } } })
    expect(await call(owner, 'PATCH', `/api/spaces/${space}/members/${owner.id}`, { role: 'editor' })).toEqual({ status: 409, body: { error: { code: 'last_owner', message: expect.any(String) } } })
    expect(((await call(owner, 'GET', `/api/spaces/${space}/members`)).body as { members: Array<{ userId: string; role: string }> }).members[0]).toMatchObject({ userId: owner.id, role: 'owner' })
  })

  it('answer an unknown, an expired and a used-up invitation alike: 404 not_found', async () => {
    const { space, owner } = await household()
    const [first, second] = [await newAccount(), await newAccount()]
    const single = ((await call(owner, 'POST', `/api/spaces/${space}/invitations`, { role: 'viewer', maxUses: 1 })).body as { invitation: { token: string } }).invitation
    expect((await call(first, 'POST', `/api/invitations/${single.token}/accept`)).status).toBe(200)
    const expired = ((await call(owner, 'POST', `/api/spaces/${space}/invitations`, { role: 'viewer', expiresInHours: 1 })).body as { invitation: { token: string } }).invitation
    await db.query("UPDATE space_invitations SET expires_at = now() - interval '1 second' WHERE expires_at < now() + interval '2 hours'")
    const notFound = { status: 404, body: { error: { code: 'not_found', message: 'Not found.' } } }
    for (const token of [single.token, expired.token, 'A'.repeat(43)]) expect(await call(second, 'POST', `/api/invitations/${token}/accept`)).toEqual(notFound)
  })

  it('answer 400 invalid to a bad name, role, time or number of uses', async () => {
    const { space, owner, editor } = await household()
    for (const [method, path, body] of [
      ['POST', '/api/spaces', { name: '' }],
      ['POST', '/api/spaces', { name: 'x'.repeat(101) }],
      ['POST', '/api/spaces', {}],
      ['POST', `/api/spaces/${space}/invitations`, { role: 'owner' }],
      ['POST', `/api/spaces/${space}/invitations`, { role: 'editor', expiresInHours: 0 }],
      ['POST', `/api/spaces/${space}/invitations`, { role: 'editor', maxUses: 1001 }],
      ['PATCH', `/api/spaces/${space}/members/${editor.id}`, { role: 'admin' }],
    ] as const) {
      const answer = await call(owner, method, path, body)
      expect([path, body, answer.status, errorCode(answer)]).toEqual([path, body, 400, 'invalid'])
    }
    expect(((await call(owner, 'GET', '/api/spaces')).body as { spaces: unknown[] }).spaces).toHaveLength(2)
  })
})

describe.each(ENGINES)('the spaces’ routes with the app’s own sign-in on $name', (engine) => {
  let own: App
  beforeAll(async () => {
    db = await engine.open()
    own = createApp({ db, identify: (request) => request.headers.get('x-user') })
  }, 60_000)

  const as = async (user: string, method: string, path: string, body?: unknown) => {
    const response = await own.request(`${BASE}${path}`, {
      method,
      headers: { 'x-user': user, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    return { status: response.status, body: (await response.text()) || null }
  }

  it('name members by the app’s ids, in the path too', async () => {
    const space = (JSON.parse((await as('ann@app', 'POST', '/api/spaces', { name: 'Shared' })).body!) as { space: { id: string } }).space.id
    const { token } = (JSON.parse((await as('ann@app', 'POST', `/api/spaces/${space}/invitations`, { role: 'viewer' })).body!) as { invitation: { token: string } }).invitation
    expect((await as('bob/app', 'POST', `/api/invitations/${token}/accept`)).status).toBe(200)
    const members = JSON.parse((await as('bob/app', 'GET', `/api/spaces/${space}/members`)).body!) as { members: Array<{ userId: string; email: unknown }> }
    expect(members.members.map((m) => [m.userId, m.email])).toEqual([
      ['ann@app', null],
      ['bob/app', null],
    ])
    const patched = await as('ann@app', 'PATCH', `/api/spaces/${space}/members/${encodeURIComponent('bob/app')}`, { role: 'editor' })
    expect(patched.status).toBe(200)
    expect(JSON.parse(patched.body!)).toMatchObject({ member: { userId: 'bob/app', role: 'editor' } })
  })
})
