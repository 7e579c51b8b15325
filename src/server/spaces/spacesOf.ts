// The spaces an account is a member of, as `GET /api/spaces` lists them.
import type { Queryable } from '../db/Db'
import { personalSpaceOf } from './personalSpaceOf'
import type { Role, Space } from './Space'

type SpaceRow = { id: string; name: string; role: Role; personal: boolean; head: string | number }

const SPACES = `
  SELECT s.id, s.name, m.role, (s.personal_of IS NOT NULL) AS personal, coalesce(p.head, 0) AS head
    FROM space_members m
    JOIN spaces s ON s.id = m.space_id
    LEFT JOIN partitions p ON p.user_id = s.partition
   WHERE m.user_id = $1`

const space = (row: SpaceRow): Space => ({ id: row.id, name: row.name, role: row.role, personal: row.personal, head: Number(row.head) })

// Sorted here, not in SQL: the database's collation differs between engines and clusters.
const byName = (a: Space, b: Space) => Number(b.personal) - Number(a.personal) || a.name.localeCompare(b.name) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)

/** Every space `userId` (a users row id) is a member of: the personal one first (made now if need be), then by name. */
export async function spacesOf(db: Queryable, userId: string): Promise<Space[]> {
  await personalSpaceOf(db, userId)
  const rows = await db.query<SpaceRow>(SPACES, [userId])
  return rows.map(space).sort(byName)
}

/** Space `spaceId` as its member `userId` sees it (the caller knows it is one). */
export async function spaceOf(db: Queryable, userId: string, spaceId: string): Promise<Space> {
  const [row] = await db.query<SpaceRow>(`${SPACES} AND s.id = $2`, [userId, spaceId])
  if (row === undefined) throw new Error(`The space ${spaceId} has no member ${userId}.`)
  return space(row)
}
