// Spaces' members (DESIGN.md "Spaces"), the use cases without HTTP, on both engines: every account
// has a personal space; an owner makes a shared one, invites by a token, changes roles and removes
// members; a member leaves; a space never loses its last owner; a non-member is told nothing of a
// space; every change is logged and told on SPACES_CHANNEL once committed.
import { createHash } from 'node:crypto'
import { beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { signup } from '../../src/server/accounts'
import { partitionOfIdentity } from '../../src/server/accounts/identities'
import type { Db } from '../../src/server/db/Db'
import { ProtocolError } from '../../src/server/protocol'
import {
  acceptInvitation,
  changesOf,
  createSpace,
  invite,
  membersOf,
  membershipOf,
  personalSpaceOf,
  removeMember,
  setRole,
  spacesOf,
  SPACES_CHANNEL,
} from '../../src/server/spaces'
import { engines } from './support/engines'

const ENGINES = engines()

let db: Db
let emails = 0
const newUser = async () => (await signup(db, `member${++emails}@example.com`, 'correct horse')).id
const emailOf = async (userId: string) => (await db.query<{ email: string }>('SELECT email FROM users WHERE id = $1', [userId]))[0]!.email

/** What a use case threw, as the wire shows it (`{ error: { code, message } }`), or 'resolved'. */
async function refusal(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
    return 'resolved'
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error
    return error.toJSON()
  }
}
const NOT_FOUND = { error: { code: 'not_found', message: 'Not found.' } }
const codeOf = async (promise: Promise<unknown>) => ((await refusal(promise)) as { error?: { code: string } }).error?.code

/** A shared space of `owner`'s with an editor and a viewer who joined by invitation, and a stranger. */
async function household(name = 'Household') {
  const [owner, editor, viewer, stranger] = [await newUser(), await newUser(), await newUser(), await newUser()]
  const space = await createSpace(db, owner, name)
  await acceptInvitation(db, editor, (await invite(db, owner, space.id, { role: 'editor' })).token)
  await acceptInvitation(db, viewer, (await invite(db, owner, space.id, { role: 'viewer' })).token)
  return { owner, editor, viewer, stranger, space: space.id }
}

const rolesIn = async (userId: string, space: string) => (await membersOf(db, userId, space)).map((member) => [member.userId, member.role])

describe.each(ENGINES)('spaces’ members on $name', (engine) => {
  beforeAll(async () => {
    db = await engine.open()
  }, 60_000)

  beforeEach(async () => {
    await db.query('TRUNCATE users, partitions, streams, events, spaces CASCADE')
  })

  describe('the personal space', () => {
    it('is made on first use with the account’s id as its partition and the account as its owner, once', async () => {
      const user = await newUser()
      const [first, second] = await Promise.all([personalSpaceOf(db, user), personalSpaceOf(db, user)])
      expect(first).toEqual(second)
      expect(first.partition).toBe(user)
      expect(first.id).toMatch(/^[A-Za-z0-9_-]{22}$/)
      expect(await membershipOf(db, user, first.id)).toEqual({ spaceId: first.id, partition: user, role: 'owner', personal: true })
      expect(await spacesOf(db, user)).toEqual([{ id: first.id, name: 'Personal', role: 'owner', personal: true, head: 0 }])
      expect(await db.query('SELECT 1 FROM spaces WHERE personal_of = $1', [user])).toHaveLength(1)
    })

    it('cannot be invited to, left, or have its member changed: 403 forbidden for its owner', async () => {
      const user = await newUser()
      const { id } = await personalSpaceOf(db, user)
      expect(await codeOf(invite(db, user, id, { role: 'editor' }))).toBe('forbidden')
      expect(await codeOf(removeMember(db, user, id, user))).toBe('forbidden')
      expect(await codeOf(setRole(db, user, id, user, 'viewer'))).toBe('forbidden')
      expect(await membershipOf(db, user, id)).toMatchObject({ role: 'owner' })
    })
  })

  describe('a shared space', () => {
    it('is made with its maker its owner, an unguessable id, a partition of its own and a created change', async () => {
      const owner = await newUser()
      const space = await createSpace(db, owner, '  Household  ')
      expect(space).toEqual({ id: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/), name: 'Household', role: 'owner', personal: false, head: 0 })
      const membership = await membershipOf(db, owner, space.id)
      expect(membership).toMatchObject({ spaceId: space.id, role: 'owner', personal: false })
      expect(Number(membership!.partition)).toBeLessThan(0)
      expect((await createSpace(db, owner, 'Household')).id).not.toBe(space.id)
    })

    it('is listed after the personal space, by name, with its head', async () => {
      const owner = await newUser()
      const zoo = await createSpace(db, owner, 'Zoo')
      const attic = await createSpace(db, owner, 'attic')
      const partition = (await membershipOf(db, owner, zoo.id))!.partition
      await db.query('INSERT INTO partitions (user_id, head) VALUES ($1, 3)', [partition])
      const spaces = await spacesOf(db, owner)
      expect(spaces.map((space) => [space.name, space.personal, space.head])).toEqual([
        ['Personal', true, 0],
        ['attic', false, 0],
        ['Zoo', false, 3],
      ])
      expect(spaces.map((space) => space.id).slice(1)).toEqual([attic.id, zoo.id])
    })

    it('takes a name of 1 to 100 characters of storable text, and refuses any other as invalid', async () => {
      const owner = await newUser()
      expect((await createSpace(db, owner, '🍵'.repeat(100))).name).toBe('🍵'.repeat(100))
      for (const name of ['', '   ', 'x'.repeat(101), 'a\u0000b', 'a\ud800b']) {
        expect(await codeOf(createSpace(db, owner, name))).toBe('invalid')
      }
      expect(await spacesOf(db, owner)).toHaveLength(2)
    })
  })

  describe('a non-member', () => {
    it('is told of every use case as of a space that does not exist, with the same answer', async () => {
      const { space, stranger, editor } = await household()
      const asks = (spaceId: string) => [
        () => invite(db, stranger, spaceId, { role: 'editor' }),
        () => membersOf(db, stranger, spaceId),
        () => setRole(db, stranger, spaceId, editor, 'viewer'),
        () => removeMember(db, stranger, spaceId, editor),
        () => changesOf(db, stranger, spaceId),
      ]
      for (const spaceId of [space, 'AAAAAAAAAAAAAAAAAAAAAA', 'not/an id\u0000']) {
        for (const ask of asks(spaceId)) expect(await refusal(ask())).toEqual(NOT_FOUND)
        expect(await membershipOf(db, stranger, spaceId)).toBeNull()
      }
      expect(await rolesIn(editor, space)).toContainEqual([editor, 'editor'])
    })

    it('is one whose personal space it is not: another account’s personal space is not found', async () => {
      const [user, other] = [await newUser(), await newUser()]
      const { id } = await personalSpaceOf(db, user)
      expect(await membershipOf(db, other, id)).toBeNull()
      expect(await refusal(membersOf(db, other, id))).toEqual(NOT_FOUND)
    })
  })

  describe('invitations', () => {
    it('are made by owners only: 403 forbidden for an editor and a viewer', async () => {
      const { space, editor, viewer } = await household()
      for (const who of [editor, viewer]) expect(await codeOf(invite(db, who, space, { role: 'viewer' }))).toBe('forbidden')
    })

    it('are a random token stored as its sha-256, expiring in a week unless told otherwise', async () => {
      const { space, owner } = await household()
      const now = new Date('2026-11-30T10:00:00.000Z')
      const invitation = await invite(db, owner, space, { role: 'viewer' }, now)
      expect(invitation).toEqual({ token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), role: 'viewer', expiresAt: '2026-12-07T10:00:00.000Z' })
      expect((await invite(db, owner, space, { role: 'editor', expiresInHours: 1, maxUses: 3 }, now)).expiresAt).toBe('2026-11-30T11:00:00.000Z')
      const stored = await db.query<{ token_hash: string; max_uses: number | null }>('SELECT token_hash, max_uses FROM space_invitations WHERE role = $1', ['viewer'])
      const hash = createHash('sha256').update(invitation.token).digest('hex')
      expect(stored.filter((row) => row.token_hash === hash)).toEqual([{ token_hash: hash, max_uses: null }])
      expect(JSON.stringify(await db.query('SELECT * FROM space_invitations'))).not.toContain(invitation.token)
    })

    it('refuse a role, a time or a number of uses out of range as invalid', async () => {
      const { space, owner } = await household()
      for (const options of [
        { role: 'owner' },
        { role: 'editor', expiresInHours: 0 },
        { role: 'editor', expiresInHours: 721 },
        { role: 'editor', expiresInHours: 1.5 },
        { role: 'editor', maxUses: 0 },
        { role: 'editor', maxUses: 1001 },
      ]) {
        expect(await codeOf(invite(db, owner, space, options as never))).toBe('invalid')
      }
      expect(await invite(db, owner, space, { role: 'editor', expiresInHours: 720, maxUses: 1000 })).toMatchObject({ role: 'editor' })
    })

    it('let an account join with the invitation’s role', async () => {
      const { space, owner } = await household()
      const guest = await newUser()
      const joined = await acceptInvitation(db, guest, (await invite(db, owner, space, { role: 'viewer' })).token)
      expect(joined).toEqual({ id: space, name: 'Household', role: 'viewer', personal: false, head: 0 })
      expect((await spacesOf(db, guest)).map((s) => s.id)).toContain(space)
    })

    it('answer an unknown, an expired and a used-up token alike: 404 not_found', async () => {
      const { space, owner } = await household()
      const [late, second, third] = [await newUser(), await newUser(), await newUser()]
      const now = new Date('2026-11-30T10:00:00.000Z')
      const expiring = await invite(db, owner, space, { role: 'editor', expiresInHours: 1 }, now)
      const single = await invite(db, owner, space, { role: 'editor', maxUses: 1 })
      await acceptInvitation(db, second, single.token)
      const unknown = 'A'.repeat(43)
      expect(await refusal(acceptInvitation(db, late, expiring.token, new Date('2026-11-30T11:00:00.000Z')))).toEqual(NOT_FOUND)
      expect(await refusal(acceptInvitation(db, third, single.token))).toEqual(NOT_FOUND)
      expect(await refusal(acceptInvitation(db, third, unknown))).toEqual(NOT_FOUND)
      expect(await refusal(acceptInvitation(db, third, 'x'.repeat(10_000)))).toEqual(NOT_FOUND)
      // The expiring one is good until then.
      expect(await acceptInvitation(db, late, expiring.token, new Date('2026-11-30T10:59:59.000Z'))).toMatchObject({ role: 'editor' })
      expect(await membershipOf(db, third, space)).toBeNull()
    })

    it('let one account in when a single-use token is accepted twice at once', async () => {
      const { space, owner } = await household()
      const [first, second] = [await newUser(), await newUser()]
      const { token } = await invite(db, owner, space, { role: 'editor', maxUses: 1 })
      const answers = await Promise.all([acceptInvitation(db, first, token), acceptInvitation(db, second, token)].map(refusal))
      expect(answers.filter((answer) => answer === 'resolved')).toHaveLength(1)
      expect(answers.filter((answer) => JSON.stringify(answer) === JSON.stringify(NOT_FOUND))).toHaveLength(1)
      const joined = [await membershipOf(db, first, space), await membershipOf(db, second, space)].filter((m) => m !== null)
      expect(joined).toHaveLength(1)
      expect((await db.query<{ uses: number }>('SELECT uses FROM space_invitations WHERE max_uses = 1'))[0]?.uses).toBe(1)
    })

    it('leave a member’s role as it is and count no use when a member accepts one', async () => {
      const { space, owner, viewer } = await household()
      const { token } = await invite(db, owner, space, { role: 'editor', maxUses: 1 })
      expect(await acceptInvitation(db, viewer, token)).toMatchObject({ role: 'viewer' })
      expect(await acceptInvitation(db, owner, token)).toMatchObject({ role: 'owner' })
      const guest = await newUser()
      expect(await acceptInvitation(db, guest, token)).toMatchObject({ role: 'editor' })
    })

    it('made before a member was removed do not let them back; one made after does', async () => {
      const { space, owner, editor } = await household()
      const old = await invite(db, owner, space, { role: 'editor' })
      await removeMember(db, owner, space, editor)
      expect(await refusal(acceptInvitation(db, editor, old.token))).toEqual(NOT_FOUND)
      expect(await membershipOf(db, editor, space)).toBeNull()
      const fresh = await invite(db, owner, space, { role: 'viewer' })
      expect(await acceptInvitation(db, editor, fresh.token)).toMatchObject({ role: 'viewer' })
    })

    it('stop letting anyone in once their maker is no longer an owner', async () => {
      const { space, owner, editor } = await household()
      await setRole(db, owner, space, editor, 'owner')
      const byDemoted = await invite(db, editor, space, { role: 'editor' })
      const byRemoved = await invite(db, owner, space, { role: 'viewer' })
      await setRole(db, owner, space, editor, 'viewer')
      const guest = await newUser()
      expect(await refusal(acceptInvitation(db, guest, byDemoted.token))).toEqual(NOT_FOUND)
      await setRole(db, owner, space, editor, 'owner')
      await removeMember(db, editor, space, owner)
      expect(await refusal(acceptInvitation(db, guest, byRemoved.token))).toEqual(NOT_FOUND)
      expect(await membershipOf(db, guest, space)).toBeNull()
      // The one demoted is an owner again: what counts is who owns the space now.
      expect(await acceptInvitation(db, guest, byDemoted.token)).toMatchObject({ role: 'editor' })
    })

    it('let a member who left come back while they last', async () => {
      const { space, owner, editor } = await household()
      const link = await invite(db, owner, space, { role: 'editor' })
      await removeMember(db, editor, space, editor)
      expect(await acceptInvitation(db, editor, link.token)).toMatchObject({ role: 'editor' })
    })
  })

  describe('members', () => {
    it('are listed to every member, in the order they joined, with email, role and when they joined', async () => {
      const { space, owner, editor, viewer } = await household()
      const members = await membersOf(db, viewer, space)
      expect(members).toEqual([
        { userId: owner, email: await emailOf(owner), role: 'owner', joinedAt: expect.any(String) },
        { userId: editor, email: await emailOf(editor), role: 'editor', joinedAt: expect.any(String) },
        { userId: viewer, email: await emailOf(viewer), role: 'viewer', joinedAt: expect.any(String) },
      ])
      for (const { joinedAt } of members) expect(new Date(joinedAt).toISOString()).toBe(joinedAt)
      expect(members.map((m) => m.joinedAt)).toEqual(members.map((m) => m.joinedAt).sort())
    })

    it('are named by the app’s own id for the app’s own users, with no email', async () => {
      const owner = await partitionOfIdentity(db, 'app-user/ann')
      const guest = await partitionOfIdentity(db, 'app-user/bob')
      const space = await createSpace(db, owner, 'Shared')
      await acceptInvitation(db, guest, (await invite(db, owner, space.id, { role: 'viewer' })).token)
      expect((await membersOf(db, guest, space.id)).map((m) => [m.userId, m.email])).toEqual([
        ['app-user/ann', null],
        ['app-user/bob', null],
      ])
      expect(await setRole(db, owner, space.id, 'app-user/bob', 'editor')).toMatchObject({ userId: 'app-user/bob', role: 'editor' })
      // The users row's id is not how the app knows them.
      expect(await codeOf(setRole(db, owner, space.id, guest, 'viewer'))).toBe('not_found')
      expect((await changesOf(db, guest, space.id)).at(-1)).toMatchObject({ by: { userId: 'app-user/ann', email: null }, member: { userId: 'app-user/bob', email: null } })
    })
  })

  describe('roles', () => {
    it('are changed by owners: an editor and a viewer get 403 forbidden', async () => {
      const { space, editor, viewer } = await household()
      expect(await codeOf(setRole(db, editor, space, viewer, 'editor'))).toBe('forbidden')
      expect(await codeOf(setRole(db, viewer, space, viewer, 'owner'))).toBe('forbidden')
      expect(await codeOf(setRole(db, editor, space, editor, 'owner'))).toBe('forbidden')
      expect(await rolesIn(editor, space)).toEqual(expect.arrayContaining([[editor, 'editor'], [viewer, 'viewer']]))
    })

    it('are changed for a member, and an owner is made so; an unknown member or role is refused', async () => {
      const { space, owner, editor, viewer, stranger } = await household()
      expect(await setRole(db, owner, space, viewer, 'editor')).toEqual({ userId: viewer, email: await emailOf(viewer), role: 'editor', joinedAt: expect.any(String) })
      expect(await setRole(db, owner, space, editor, 'owner')).toMatchObject({ role: 'owner' })
      expect(await membershipOf(db, editor, space)).toMatchObject({ role: 'owner' })
      expect(await codeOf(setRole(db, owner, space, stranger, 'viewer'))).toBe('not_found')
      expect(await codeOf(setRole(db, owner, space, viewer, 'admin' as never))).toBe('invalid')
    })

    it('keep the last owner: 409 last_owner for demoting them, by themselves too', async () => {
      const { space, owner, editor } = await household()
      expect(await refusal(setRole(db, owner, space, owner, 'editor'))).toEqual({ error: { code: 'last_owner', message: expect.any(String) } })
      await setRole(db, owner, space, editor, 'owner')
      expect(await setRole(db, owner, space, owner, 'editor')).toMatchObject({ role: 'editor' })
      expect(await codeOf(setRole(db, editor, space, editor, 'viewer'))).toBe('last_owner')
    })

    it('keep an owner when the two owners demote each other at once', async () => {
      const { space, owner, editor } = await household()
      await setRole(db, owner, space, editor, 'owner')
      const answers = await Promise.all([setRole(db, owner, space, editor, 'viewer'), setRole(db, editor, space, owner, 'viewer')].map(refusal))
      expect(answers.filter((answer) => answer === 'resolved')).toHaveLength(1)
      const owners = (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM space_members WHERE space_id = $1 AND role = 'owner'", [space]))[0]?.n
      expect(owners).toBe(1)
    })
  })

  describe('removing', () => {
    it('takes a member out: they are told the space is not found and the list goes without them', async () => {
      const { space, owner, editor, viewer } = await household()
      await removeMember(db, owner, space, editor)
      expect(await rolesIn(owner, space)).toEqual([
        [owner, 'owner'],
        [viewer, 'viewer'],
      ])
      expect(await membershipOf(db, editor, space)).toBeNull()
      expect(await refusal(membersOf(db, editor, space))).toEqual(NOT_FOUND)
      expect((await spacesOf(db, editor)).map((s) => s.id)).not.toContain(space)
    })

    it('of another member is an owner’s only: 403 forbidden for an editor and a viewer, who may leave', async () => {
      const { space, owner, editor, viewer } = await household()
      expect(await codeOf(removeMember(db, editor, space, viewer))).toBe('forbidden')
      expect(await codeOf(removeMember(db, viewer, space, owner))).toBe('forbidden')
      expect(await membershipOf(db, viewer, space)).not.toBeNull()
      await removeMember(db, viewer, space, viewer)
      expect(await membershipOf(db, viewer, space)).toBeNull()
    })

    it('keeps the last owner: 409 last_owner for leaving, and the owner may leave once another is one', async () => {
      const { space, owner, editor } = await household()
      expect(await codeOf(removeMember(db, owner, space, owner))).toBe('last_owner')
      expect(await membershipOf(db, owner, space)).toMatchObject({ role: 'owner' })
      await setRole(db, owner, space, editor, 'owner')
      await removeMember(db, owner, space, owner)
      expect(await rolesIn(editor, space)).toEqual(expect.not.arrayContaining([[owner, 'owner']]))
      expect(await codeOf(removeMember(db, editor, space, editor))).toBe('last_owner')
    })

    it('of someone who is no member is 404 not_found', async () => {
      const { space, owner, stranger } = await household()
      expect(await codeOf(removeMember(db, owner, space, stranger))).toBe('not_found')
      expect(await codeOf(removeMember(db, owner, space, ''))).toBe('not_found')
    })
  })

  describe('the log of changes', () => {
    it('shows every member who made which change to whom, oldest first', async () => {
      const { space, owner, editor, viewer } = await household()
      await setRole(db, owner, space, viewer, 'editor')
      await removeMember(db, owner, space, viewer)
      await removeMember(db, editor, space, editor)
      const person = async (userId: string) => ({ userId, email: await emailOf(userId) })
      const [o, e, v] = [await person(owner), await person(editor), await person(viewer)]
      const changes = await changesOf(db, owner, space)
      expect(changes.map(({ at: _at, ...change }) => change)).toEqual([
        { change: 'created', by: o, member: o, role: 'owner' },
        { change: 'joined', by: e, member: e, role: 'editor' },
        { change: 'joined', by: v, member: v, role: 'viewer' },
        { change: 'role_changed', by: o, member: v, role: 'editor' },
        { change: 'removed', by: o, member: v, role: null },
        { change: 'left', by: e, member: e, role: null },
      ])
      for (const { at } of changes) expect(new Date(at).toISOString()).toBe(at)
      expect(await refusal(changesOf(db, viewer, space))).toEqual(NOT_FOUND)
    })
  })

  describe('SPACES_CHANNEL', () => {
    it('hears the id of each account whose memberships changed, once committed, and nothing of a refused change', async () => {
      const heard: string[] = []
      let waiting: { id: string; resolve: () => void } | undefined
      const off = await db.listen(SPACES_CHANNEL, (payload) => {
        heard.push(payload)
        if (payload === waiting?.id) waiting.resolve()
      })
      /** Runs `change` and resolves once `id` is heard. */
      const hears = async (id: string, change: () => Promise<unknown>) => {
        const heardIt = new Promise<void>((resolve) => (waiting = { id, resolve }))
        await change()
        await heardIt
      }
      try {
        const [owner, guest] = [await newUser(), await newUser()]
        let space = ''
        await hears(owner, async () => (space = (await createSpace(db, owner, 'Household')).id))
        const { token } = await invite(db, owner, space, { role: 'viewer' })
        await hears(guest, () => acceptInvitation(db, guest, token))
        await hears(guest, () => setRole(db, owner, space, guest, 'editor'))
        // Refused: rolled back, so nothing is heard of it before the next change's id.
        expect(await codeOf(removeMember(db, owner, space, owner))).toBe('last_owner')
        await hears(guest, () => removeMember(db, owner, space, guest))
        expect(heard).toEqual([owner, guest, guest, guest])
      } finally {
        await off()
      }
    })
  })
})
