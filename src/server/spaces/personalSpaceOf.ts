// Every account has a personal space: the partition its events have always gone to (the users
// row's id), with the account as its only member and owner. It is made on first use, so accounts
// from before spaces have one too.
import type { Queryable } from '../db/Db'
import { newSpaceId } from './tokens'

export const PERSONAL_NAME = 'Personal'

const FIND = 'SELECT id, partition::text AS partition FROM spaces WHERE personal_of = $1'
// One statement, so the space never exists without its owner. Two first uses at once: one makes
// it, the other's insert does nothing and it reads the one made.
const MAKE = `
  WITH made AS (
    INSERT INTO spaces (id, partition, name, personal_of) VALUES ($1, $2::bigint, $3, $2::bigint)
    ON CONFLICT DO NOTHING RETURNING id, partition
  ), owner AS (
    INSERT INTO space_members (space_id, user_id, role) SELECT id, $2::bigint, 'owner' FROM made
  )
  SELECT id, partition::text AS partition FROM made`

/** The personal space of `userId` (a users row id): its partition is the user's id, made on first use. */
export async function personalSpaceOf(db: Queryable, userId: string): Promise<{ id: string; partition: string }> {
  const [found] = await db.query<{ id: string; partition: string }>(FIND, [userId])
  if (found !== undefined) return found
  const [made] = await db.query<{ id: string; partition: string }>(MAKE, [newSpaceId(), userId, PERSONAL_NAME])
  if (made !== undefined) return made
  const [theirs] = await db.query<{ id: string; partition: string }>(FIND, [userId])
  if (theirs === undefined) throw new Error('A personal space was neither made nor found.')
  return theirs
}
