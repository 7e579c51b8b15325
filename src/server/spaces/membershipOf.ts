// What an account is in a space, read plainly (push, pull, the members' list) or under the space's
// row lock (every change of its members). A non-member and an unknown space are answered alike.
import type { Queryable } from '../db/Db'
import { protocolError } from '../protocol'
import type { Membership, Role } from './Space'
import { isSpaceId } from './tokens'

type MembershipRow = { space_id: string; partition: string; role: Role; personal: boolean }

const MEMBERSHIP = `
  SELECT s.id AS space_id, s.partition::text AS partition, m.role, (s.personal_of IS NOT NULL) AS personal
    FROM spaces s JOIN space_members m ON m.space_id = s.id AND m.user_id = $2
   WHERE s.id = $1`

const membership = (row: MembershipRow | undefined): Membership | null =>
  row === undefined ? null : { spaceId: row.space_id, partition: row.partition, role: row.role, personal: row.personal }

/** What `userId` (a users row id) is in space `spaceId`: null when not a member or no such space (alike). */
export async function membershipOf(db: Queryable, userId: string, spaceId: string): Promise<Membership | null> {
  if (!isSpaceId(spaceId)) return null
  const [row] = await db.query<MembershipRow>(MEMBERSHIP, [spaceId, userId])
  return membership(row)
}

/**
 * Locks space `spaceId`'s row for the rest of `tx` and gives `userId`'s membership of it, or throws
 * 404 `not_found` for a non-member and an unknown space alike. Every change of a space's members
 * takes this lock first, so they run one at a time: two owners demoting each other at once see
 * each other's change, and one of them stays.
 */
export async function lockedMembershipOf(tx: Queryable, userId: string, spaceId: string): Promise<Membership> {
  if (!isSpaceId(spaceId)) throw protocolError('not_found')
  const [locked] = await tx.query('SELECT 1 FROM spaces WHERE id = $1 FOR UPDATE', [spaceId])
  const [row] = locked === undefined ? [] : await tx.query<MembershipRow>(MEMBERSHIP, [spaceId, userId])
  const found = membership(row)
  if (found === null) throw protocolError('not_found')
  return found
}

/** The membership of a space's member, or 404 `not_found` for a non-member and an unknown space alike. */
export async function memberOf(db: Queryable, userId: string, spaceId: string): Promise<Membership> {
  const found = await membershipOf(db, userId, spaceId)
  if (found === null) throw protocolError('not_found')
  return found
}

/** 403 `forbidden` unless the member is an owner of the space. */
export function requireOwner(member: Membership, action: string): void {
  if (member.role !== 'owner') throw protocolError('forbidden', `Only an owner of this space may ${action}.`)
}

/** 403 `forbidden` for a personal space: it has one member, its owner, and is never shared. */
export function requireShared(member: Membership): void {
  if (member.personal) throw protocolError('forbidden', 'A personal space is not shared: it has its owner as its only member.')
}
