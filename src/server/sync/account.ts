// Who writes and where: the account's id as the app knows it (`userId` in each event's metadata,
// and the owner a stream named after its owner must name) and the partition its events go to.
// Built-in accounts write to a partition of their own with the same id; an app's own identity
// (`identify`) maps its user ids to partitions of their own (./identities). A partition is where
// positions are counted and what a pull reads: one account's today, a shared one's members' later.
export interface Account {
  /** The user's id as the app knows it. */
  id: string
  /** The partition's key in the database. */
  partition: string
  /** A built-in account's email. */
  email?: string
}

/** An account from a built-in user's id (its partition has the same id), or as it is. */
export const accountOf = (writer: string | Account): Account => (typeof writer === 'string' ? { id: writer, partition: writer } : writer)
