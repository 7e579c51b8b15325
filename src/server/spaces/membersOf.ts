// A space's members as its members see them: each by the id the app knows them by (an identified
// user's own id, else the account's id) and their email where they have one.
import type { Queryable } from '../db/Db'
import { isStorableText } from '../sync/storable'
import { memberOf } from './membershipOf'
import type { Member, Role } from './Space'

type MemberRow = { row_id: string; user_id: string; email: string | null; role: Role; joined_ms: number | string }

const MEMBERS = `
  SELECT u.id::text AS row_id, coalesce(u.external_id, u.id::text) AS user_id, u.email, m.role,
         (extract(epoch FROM m.joined_at) * 1000)::float8 AS joined_ms
    FROM space_members m JOIN users u ON u.id = m.user_id
   WHERE m.space_id = $1`

const member = (row: MemberRow): Member => ({ userId: row.user_id, email: row.email, role: row.role, joinedAt: new Date(Number(row.joined_ms)).toISOString() })

/** The members of space `spaceId`, in the order they joined; for its members only (else 404 `not_found`). */
export async function membersOf(db: Queryable, userId: string, spaceId: string): Promise<Member[]> {
  await memberOf(db, userId, spaceId)
  const rows = await db.query<MemberRow>(`${MEMBERS} ORDER BY m.joined_at, u.id`, [spaceId])
  return rows.map(member)
}

/** The member of `spaceId` whose id, as the app knows it, is `memberId`, with their users row id; undefined for none. */
export async function memberNamed(db: Queryable, spaceId: string, memberId: string): Promise<(Member & { rowId: string }) | undefined> {
  if (memberId.length === 0 || memberId.length > 256 || !isStorableText(memberId)) return undefined
  const [row] = await db.query<MemberRow>(`${MEMBERS} AND coalesce(u.external_id, u.id::text) = $2`, [spaceId, memberId])
  return row === undefined ? undefined : { ...member(row), rowId: row.row_id }
}
