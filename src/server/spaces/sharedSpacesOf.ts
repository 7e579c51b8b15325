// The shared spaces a user is a member of, by partition: what the live channel listens for besides
// the user's personal head (a head NOTIFY names a partition, never a space's id).
import type { Queryable } from '../db/Db'

/** Partition → space id, of every shared space `userId` (a users row id) is a member of, any role. */
export async function sharedSpacesOf(db: Queryable, userId: string): Promise<Map<string, string>> {
  const rows = await db.query<{ partition: string; id: string }>(
    'SELECT s.partition::text AS partition, s.id FROM space_members m JOIN spaces s ON s.id = m.space_id WHERE m.user_id = $1 AND s.personal_of IS NULL',
    [userId],
  )
  return new Map(rows.map((row) => [row.partition, row.id]))
}
