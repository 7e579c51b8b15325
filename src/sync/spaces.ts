// The protocol's calls of spaces (DESIGN.md "Spaces"): the signed-in user's spaces, making one,
// inviting to it and joining by an invitation, its members and their roles, leaving, and the log
// of its membership changes. Errors as AccountClient's: SyncServerError with the protocol's code
// (`not_found` for a space the user is not a member of, `forbidden`, `last_owner`, `invalid`).
import type { SpaceRole, SpaceSummary } from './protocol'
import { apiCaller, type HttpTransportOptions } from './transport'

export interface SpaceInvitation {
  /** Shown once: whoever holds it may join, until it expires or is used up. */
  token: string
  role: Exclude<SpaceRole, 'owner'>
  /** ISO 8601. */
  expiresAt: string
  /** The app's `#/join/<token>` at the server's origin. */
  url: string
}

export interface SpaceMember {
  /** The member's user id as the app knows it. */
  userId: string
  /** Null for a user of the app's own sign-in. */
  email: string | null
  role: SpaceRole
  joinedAt: string
}

export interface SpaceChange {
  change: 'created' | 'joined' | 'role_changed' | 'removed' | 'left'
  by: { userId: string; email: string | null } | null
  member: { userId: string; email: string | null } | null
  role: SpaceRole | null
  at: string
}

export interface InvitationOptions {
  role: Exclude<SpaceRole, 'owner'>
  /** 1…720, default 168 (a week). */
  expiresInHours?: number
  /** 1…1000; absent: any number of uses until it expires. */
  maxUses?: number
}

const path = (id: string) => encodeURIComponent(id)

export class SpacesClient {
  private readonly call: ReturnType<typeof apiCaller>

  constructor(options: HttpTransportOptions = {}) {
    this.call = apiCaller(options)
  }

  /** The user's spaces: the personal one first. */
  async list(): Promise<SpaceSummary[]> {
    return (await this.call<{ spaces: SpaceSummary[] }>('/api/spaces')).spaces
  }

  /** A new shared space, the user its owner. */
  async create(name: string): Promise<SpaceSummary> {
    return (await this.send<{ space: SpaceSummary }>('POST', '/api/spaces', { name })).space
  }

  /** An invitation to the space (its owners only). */
  async invite(spaceId: string, options: InvitationOptions): Promise<SpaceInvitation> {
    return (await this.send<{ invitation: SpaceInvitation }>('POST', `/api/spaces/${path(spaceId)}/invitations`, options)).invitation
  }

  /** Joins the invitation's space; `not_found` for an unknown, expired or used-up token alike. */
  async accept(token: string): Promise<SpaceSummary> {
    return (await this.send<{ space: SpaceSummary }>('POST', `/api/invitations/${path(token)}/accept`)).space
  }

  async members(spaceId: string): Promise<SpaceMember[]> {
    return (await this.call<{ members: SpaceMember[] }>(`/api/spaces/${path(spaceId)}/members`)).members
  }

  /** Changes a member's role (owners only); `last_owner` for the space's last owner. */
  async setRole(spaceId: string, userId: string, role: SpaceRole): Promise<SpaceMember> {
    return (await this.send<{ member: SpaceMember }>('PATCH', `/api/spaces/${path(spaceId)}/members/${path(userId)}`, { role })).member
  }

  /** Removes a member (owners), or the user itself (leaving: give its own id). */
  async remove(spaceId: string, userId: string): Promise<void> {
    await this.send<void>('DELETE', `/api/spaces/${path(spaceId)}/members/${path(userId)}`)
  }

  /** Who joined, left, was removed or got another role, and when: oldest first. */
  async changes(spaceId: string): Promise<SpaceChange[]> {
    return (await this.call<{ changes: SpaceChange[] }>(`/api/spaces/${path(spaceId)}/changes`)).changes
  }

  private send<T>(method: string, url: string, body?: unknown): Promise<T> {
    return this.call<T>(url, { method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }) })
  }
}
