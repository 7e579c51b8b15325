// A new shared space, its maker its owner. Its partition is a negative number from its own
// sequence: never a user's id, so no personal space and no account can ever share it.
import type { Db } from '../db/Db'
import { protocolError } from '../protocol'
import { isStorableText } from '../sync/storable'
import { recordChange } from './changes'
import { refusePastSpaceLimit } from './spaceLimit'
import type { Space } from './Space'
import { newSpaceId } from './tokens'

export const MAX_NAME = 100

/** The name as it is kept (without surrounding white space), or 400 `invalid`. */
export function spaceName(name: unknown): string {
  const trimmed = typeof name === 'string' ? name.trim() : ''
  const length = [...trimmed].length
  if (length === 0 || length > MAX_NAME) throw protocolError('invalid', `A space's name has 1 to ${MAX_NAME} characters.`)
  if (!isStorableText(trimmed)) throw protocolError('invalid', "A space's name may not hold a NUL character or a lone surrogate (half of a UTF-16 pair).")
  return trimmed
}

/** Makes a shared space named `name` (1–100 characters, trimmed) with `userId` (a users row id) its owner. */
export async function createSpace(db: Db, userId: string, name: string): Promise<Space> {
  const kept = spaceName(name)
  const id = newSpaceId()
  await db.transaction(async (tx) => {
    await refusePastSpaceLimit(tx, userId)
    await tx.query("INSERT INTO spaces (id, partition, name) VALUES ($1, -nextval('shared_partitions'), $2)", [id, kept])
    await tx.query("INSERT INTO space_members (space_id, user_id, role) VALUES ($1, $2, 'owner')", [id, userId])
    await recordChange(tx, { spaceId: id, change: 'created', actor: userId, subject: userId, role: 'owner' })
  })
  return { id, name: kept, role: 'owner', personal: false, head: 0 }
}
