// An owner removes a member, or a member leaves. A space always keeps an owner: its last one does
// not leave and is not removed.
import type { Db } from '../db/Db'
import { protocolError } from '../protocol'
import { recordChange } from './changes'
import { memberNamed } from './membersOf'
import { lockedMembershipOf, requireOwner, requireShared } from './membershipOf'
import { noSuchMember, ownersOf } from './setRole'

/**
 * Removes member `memberId` (the id the app knows them by) from shared space `spaceId`: by an
 * owner `actorId` (a users row id), or by the member itself (leaving). 404 `not_found` for a
 * non-member (of the actor or of the member), 403 `forbidden` for a member who is not an owner
 * removing another and in a personal space, 409 `last_owner` for the space's only owner.
 */
export async function removeMember(db: Db, actorId: string, spaceId: string, memberId: string): Promise<void> {
  await db.transaction(async (tx) => {
    const actor = await lockedMembershipOf(tx, actorId, spaceId)
    requireShared(actor)
    const target = await memberNamed(tx, actor.spaceId, memberId)
    if (target === undefined) throw noSuchMember()
    const leaving = target.rowId === actorId
    if (!leaving) requireOwner(actor, 'remove another member')
    if (target.role === 'owner' && (await ownersOf(tx, actor.spaceId)) === 1) throw protocolError('last_owner')
    await tx.query('DELETE FROM space_members WHERE space_id = $1 AND user_id = $2', [actor.spaceId, target.rowId])
    await recordChange(tx, { spaceId: actor.spaceId, change: leaving ? 'left' : 'removed', actor: actorId, subject: target.rowId, role: null })
  })
}
