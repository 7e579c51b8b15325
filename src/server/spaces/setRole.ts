// An owner changes a member's role. A space always keeps an owner: its last one is not demoted.
import type { Db, Queryable } from '../db/Db'
import { protocolError } from '../protocol'
import { recordChange } from './changes'
import { memberNamed } from './membersOf'
import { lockedMembershipOf, requireOwner, requireShared } from './membershipOf'
import { ROLES, type Member, type Role } from './Space'

/** How many owners the space has; read under its row lock, so no other change moves it meanwhile. */
export async function ownersOf(tx: Queryable, spaceId: string): Promise<number> {
  const [row] = await tx.query<{ owners: number }>("SELECT count(*)::int AS owners FROM space_members WHERE space_id = $1 AND role = 'owner'", [spaceId])
  return Number(row?.owners ?? 0)
}

export const noSuchMember = () => protocolError('not_found', 'No member of this space has that id.')

/**
 * Gives member `memberId` (the id the app knows them by) of shared space `spaceId` the role
 * `role`, by its owner `actorId` (a users row id). 404 `not_found` for a non-member (of the actor
 * or of the member), 403 `forbidden` for a member who is not an owner and in a personal space,
 * 409 `last_owner` for demoting the space's only owner, 400 `invalid` for an unknown role.
 */
export async function setRole(db: Db, actorId: string, spaceId: string, memberId: string, role: Role): Promise<Member> {
  if (!ROLES.includes(role)) throw protocolError('invalid', 'A role is owner, editor or viewer.')
  return db.transaction(async (tx) => {
    const actor = await lockedMembershipOf(tx, actorId, spaceId)
    requireOwner(actor, "change a member's role")
    requireShared(actor)
    const target = await memberNamed(tx, actor.spaceId, memberId)
    if (target === undefined) throw noSuchMember()
    const { rowId, ...member } = target
    if (member.role === role) return member
    if (member.role === 'owner' && (await ownersOf(tx, actor.spaceId)) === 1) throw protocolError('last_owner')
    await tx.query('UPDATE space_members SET role = $3 WHERE space_id = $1 AND user_id = $2', [actor.spaceId, rowId, role])
    await recordChange(tx, { spaceId: actor.spaceId, change: 'role_changed', actor: actorId, subject: rowId, role })
    return { ...member, role }
  })
}
