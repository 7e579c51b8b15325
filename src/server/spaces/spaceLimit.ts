// How many shared spaces one account may be a member of. Each is a partition with a quota of its
// own and a head the account's live streams follow, so without a bound one account could store
// without limit and make every live stream of its own hold a map as large as it likes.
import type { Queryable } from '../db/Db'
import { protocolError } from '../protocol'

export const MAX_SHARED_SPACES = 100

/**
 * 403 `forbidden` when `userId` (a users row id) is a member of MAX_SHARED_SPACES shared spaces
 * already. Takes the user's row lock, so two joins at once cannot both pass the count.
 */
export async function refusePastSpaceLimit(tx: Queryable, userId: string, max = MAX_SHARED_SPACES): Promise<void> {
  await tx.query('SELECT 1 FROM users WHERE id = $1 FOR UPDATE', [userId])
  const [row] = await tx.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM space_members m JOIN spaces s ON s.id = m.space_id WHERE m.user_id = $1 AND s.personal_of IS NULL',
    [userId],
  )
  if ((row?.n ?? 0) >= max) throw protocolError('forbidden', `An account is a member of at most ${max} shared spaces: leave one first.`)
}
