// What a space is to its members: the shapes the use cases answer with and the channel that tells
// every server process when someone's memberships changed.

/** A member's role: `owner` manages the members, `editor` reads and pushes, `viewer` reads. */
export type Role = 'owner' | 'editor' | 'viewer'

export const ROLES: readonly Role[] = ['owner', 'editor', 'viewer']

/**
 * NOTIFY channel of membership changes; the payload is the users row id of the account whose
 * memberships changed (it joined, its role changed, it was removed or it left). Sent inside the
 * transaction that changed them, so it is heard once they are committed, and only then.
 */
export const SPACES_CHANNEL = 'kiroku_spaces'

/** A space as its member sees it. */
export interface Space {
  /** Random and unguessable: what clients name the space by. */
  id: string
  name: string
  /** The member's own role in it. */
  role: Role
  /** Whether it is the member's personal space (nobody else's, never shared). */
  personal: boolean
  /** Its last position (0 before its first event). */
  head: number
}

/** What one account is in one space. */
export interface Membership {
  spaceId: string
  /** Where the space's streams and events are kept (the database's partition key); never shown to clients. */
  partition: string
  role: Role
  personal: boolean
}

/** An account as the members of a space see it. */
export interface Person {
  /** The user's id as the app knows it: the app's own id for an identified user, else the account's id. */
  userId: string
  /** A built-in account's email; null for an app's own user. */
  email: string | null
}

export interface Member extends Person {
  role: Role
  /** ISO 8601. */
  joinedAt: string
}

/** One change of a space's members, as its log shows it. */
export interface SpaceChange {
  change: 'created' | 'joined' | 'role_changed' | 'removed' | 'left'
  /** Who made the change; null once that account is gone. */
  by: Person | null
  /** Whose membership it changed; null once that account is gone. */
  member: Person | null
  /** The role it gave (`created`, `joined`, `role_changed`), else null. */
  role: Role | null
  /** ISO 8601. */
  at: string
}
