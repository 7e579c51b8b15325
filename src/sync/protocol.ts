// The sync server's wire protocol, as the browser sees it (DESIGN.md, "Wire protocol").

export type WireExpectedVersion = 'any' | 'none' | number

export interface WireEvent {
  eventId: string
  type: string
  data: unknown
  metadata: Record<string, unknown>
}

export interface PushCommit {
  /** The space the stream is in (`GET /api/spaces`' ids); absent: the account's personal space. */
  space?: string
  stream: string
  expectedVersion: WireExpectedVersion
  events: WireEvent[]
}

export interface PushBody {
  clientId: string
  commits: PushCommit[]
}

export type CommitResult =
  | { status: 'accepted'; positions: number[]; head: number }
  | { status: 'duplicate'; positions: number[] }
  | { status: 'conflict'; stream: string; expected: WireExpectedVersion; actual: number }
  | { status: 'rejected'; reason: 'invalid' | 'unknown_type' | 'duplicate_event' | 'forbidden'; message: string }
  | { status: 'blocked' }

export interface PushAnswer {
  results: CommitResult[]
  head: number
}

export interface PulledEvent extends WireEvent {
  position: number
  stream: string
  streamPosition: number
}

export interface PullAnswer {
  events: PulledEvent[]
  head: number
  hasMore: boolean
}

export interface User {
  id: string
  email: string
}

/** A member's role in a space: `owner` manages its members, `editor` reads and pushes, `viewer` reads. */
export type SpaceRole = 'owner' | 'editor' | 'viewer'

/** A space as `GET /api/spaces` lists it for the signed-in user. */
export interface SpaceSummary {
  id: string
  name: string
  role: SpaceRole
  personal: boolean
  head: number
}

/** The protocol's limits on one push. */
export const PUSH_LIMITS = { commits: 100, events: 1000, bytes: 1024 * 1024 } as const
/** The largest page a pull returns. */
export const PULL_LIMIT = 1000
