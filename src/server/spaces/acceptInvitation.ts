// Joining a space by an invitation's token. An unknown token, an expired one and one used as often
// as it may be are all answered 404 `not_found`, alike: the answer tells nothing of which tokens
// exist. A use is counted under the invitation's row lock, so a single-use token accepted twice at
// once lets one account in and answers the other 404.
import type { Db } from '../db/Db'
import { protocolError } from '../protocol'
import { recordChange } from './changes'
import { refusePastSpaceLimit } from './spaceLimit'
import type { Role, Space } from './Space'
import { spaceOf } from './spacesOf'
import { MAX_TOKEN, tokenHash } from './tokens'

// FOR UPDATE: a second accept waits for the first to commit, then finds the row anew and, when
// that was the last use, not at all.
const USABLE = `
  SELECT space_id, role, created_by::text AS created_by FROM space_invitations
   WHERE token_hash = $1 AND expires_at > $2 AND (max_uses IS NULL OR uses < max_uses)
     FOR UPDATE`

// A member removed by an owner does not come back by a link made before: it may have seen it
// while a member. A link made after the removal is the owners' choice to let them in again.
const REMOVED_SINCE = `
  SELECT 1 FROM space_changes c JOIN space_invitations i ON i.token_hash = $3
   WHERE c.space_id = $1 AND c.subject = $2 AND c.change = 'removed' AND c.at > i.created_at`

/**
 * Makes `userId` (a users row id) a member of the invitation's space with its role. An account
 * that is a member already keeps the role it has (an owner's change of roles is `setRole`'s) and
 * uses nothing of the invitation. 404 `not_found` for an unknown, expired or used-up token, for
 * one whose maker is no longer an owner of the space, and for one made before its holder was
 * removed from the space.
 */
export async function acceptInvitation(db: Db, userId: string, token: string, now = new Date()): Promise<Space> {
  if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN) throw protocolError('not_found')
  return db.transaction(async (tx) => {
    const hash = tokenHash(token)
    const [invitation] = await tx.query<{ space_id: string; role: Role; created_by: string }>(USABLE, [hash, now.toISOString()])
    if (invitation === undefined) throw protocolError('not_found')
    const spaceId = invitation.space_id
    // The space's lock, as every change of its members takes it.
    await tx.query('SELECT 1 FROM spaces WHERE id = $1 FOR UPDATE', [spaceId])
    const [member] = await tx.query('SELECT 1 FROM space_members WHERE space_id = $1 AND user_id = $2', [spaceId, userId])
    if (member !== undefined) return spaceOf(tx, userId, spaceId)
    // A link is good while whoever made it is an owner of the space: an owner removed or demoted
    // (for misusing the role, say) leaves no way in behind.
    const [maker] = await tx.query("SELECT 1 FROM space_members WHERE space_id = $1 AND user_id = $2 AND role = 'owner'", [spaceId, invitation.created_by])
    if (maker === undefined) throw protocolError('not_found')
    const [removed] = await tx.query(REMOVED_SINCE, [spaceId, userId, hash])
    if (removed !== undefined) throw protocolError('not_found')
    await refusePastSpaceLimit(tx, userId)
    await tx.query('UPDATE space_invitations SET uses = uses + 1 WHERE token_hash = $1', [hash])
    await tx.query('INSERT INTO space_members (space_id, user_id, role) VALUES ($1, $2, $3)', [spaceId, userId, invitation.role])
    await recordChange(tx, { spaceId, change: 'joined', actor: userId, subject: userId, role: invitation.role })
    return spaceOf(tx, userId, spaceId)
  })
}
