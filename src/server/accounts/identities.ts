// The partitions of an app's own users (`identify`): one users row per id the app gives, made on
// first use, with no email and no password (nobody signs in to it through /api/auth). Its id is the
// partition's key; the app's id is what its events' metadata names as their author.
import type { Db } from '../db/Db'

/** Ids seen lately, per database: a request of a known user costs no statement. Bounded. */
const known = new WeakMap<Db, Map<string, string>>()
const KNOWN_MAX = 10_000

/** The partition of the app's user `id`, made now when it has none. */
export async function partitionOfIdentity(db: Db, id: string): Promise<string> {
  let ids = known.get(db)
  if (ids === undefined) known.set(db, (ids = new Map()))
  const cached = ids.get(id)
  if (cached !== undefined) return cached
  const [made] = await db.query<{ id: string }>('INSERT INTO users (external_id) VALUES ($1) ON CONFLICT (external_id) DO NOTHING RETURNING id::text AS id', [id])
  const partition = made?.id ?? (await db.query<{ id: string }>('SELECT id::text AS id FROM users WHERE external_id = $1', [id]))[0]?.id
  if (partition === undefined) throw new Error('The partition of an identified user was neither made nor found.')
  if (ids.size >= KNOWN_MAX) ids.delete(ids.keys().next().value as string)
  ids.set(id, partition)
  return partition
}
