// The log of a space's members: every change of them is recorded with who made it and when, in the
// transaction that makes it, and told to every server process (SPACES_CHANNEL) once committed.
import type { Queryable } from '../db/Db'
import { memberOf } from './membershipOf'
import { SPACES_CHANNEL, type Person, type Role, type SpaceChange } from './Space'

export interface Change {
  spaceId: string
  change: SpaceChange['change']
  /** The users row id of who made it. */
  actor: string
  /** The users row id of whose membership it is. */
  subject: string
  role: Role | null
}

/** Records `change` and NOTIFYs its subject's id on SPACES_CHANNEL, both inside `tx`. */
export async function recordChange(tx: Queryable, { spaceId, change, actor, subject, role }: Change): Promise<void> {
  await tx.query('INSERT INTO space_changes (space_id, change, actor, subject, role) VALUES ($1, $2, $3, $4, $5)', [spaceId, change, actor, subject, role])
  await tx.query('SELECT pg_notify($1, $2)', [SPACES_CHANNEL, subject])
}

/** The changes a log shows at most: the latest ones. */
export const CHANGES_SHOWN = 1000

type ChangeRow = {
  change: SpaceChange['change']
  role: Role | null
  at_ms: number | string
  actor_id: string | null
  actor_email: string | null
  subject_id: string | null
  subject_email: string | null
}

const CHANGES = `
  SELECT c.change, c.role, (extract(epoch FROM c.at) * 1000)::float8 AS at_ms,
         coalesce(a.external_id, a.id::text) AS actor_id, a.email AS actor_email,
         coalesce(s.external_id, s.id::text) AS subject_id, s.email AS subject_email
    FROM space_changes c
    LEFT JOIN users a ON a.id = c.actor
    LEFT JOIN users s ON s.id = c.subject
   WHERE c.space_id = $1
   ORDER BY c.id DESC
   LIMIT $2`

const person = (userId: string | null, email: string | null): Person | null => (userId === null ? null : { userId, email })

/** The latest changes of space `spaceId`'s members (at most CHANGES_SHOWN), oldest first; for its members only (else 404 `not_found`). */
export async function changesOf(db: Queryable, userId: string, spaceId: string): Promise<SpaceChange[]> {
  await memberOf(db, userId, spaceId)
  const rows = await db.query<ChangeRow>(CHANGES, [spaceId, CHANGES_SHOWN])
  return rows.reverse().map((row) => ({
    change: row.change,
    by: person(row.actor_id, row.actor_email),
    member: person(row.subject_id, row.subject_email),
    role: row.role,
    at: new Date(Number(row.at_ms)).toISOString(),
  }))
}
