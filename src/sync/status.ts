// What the sync engine tells every tab: its state, what waits, what it last did, and every event
// the server did not take (with why). Plain data: it crosses BroadcastChannel as it is.

/** How a stream category syncs on a conflict: `rebase` replays the pending events on the server's
 * state (those still valid are pushed again, the others dropped); `reject` takes them out. */
export type SyncPolicy = 'rebase' | 'reject'

/** An event of this device that the server never took, and why; kept in `syncReports`. */
export interface SyncReport {
  id?: number
  /** ISO 8601. */
  at: string
  /** `dropped`: a rebase found it no longer valid; `rejected`: its stream's policy is reject, or the server refused it. */
  kind: 'dropped' | 'rejected'
  stream: string
  eventId: string
  type: string
  data: unknown
  /**
   * Why. Refused by the device's rules in a rebase (`check`): the rule's code (the error's `code`,
   * else its name), its message, and the error's name in `error`. Refused by the server: the
   * protocol's reason (`invalid`, `forbidden`, …) and its message. A `reject` stream's events that
   * another device's change overtook: `conflict`.
   */
  reason: { code: string; message: string; error?: string }
}

/** One exchange with the server, for the devtools. */
export interface SyncExchange {
  /** ISO 8601. */
  at: string
  ok: boolean
  /** What was sent and what came back, in a line. */
  summary: string
}

export type LiveState = 'off' | 'connecting' | 'open' | 'closed'

/** A pending commit: the events of one stream that wait for the server, from `from` on. */
export interface PendingCommit {
  stream: string
  /** The stream version the server last confirmed (-1: none yet). */
  confirmed: number
  events: number
  types: string[]
}

/** What stops sync, or part of it: a code and a message fit to show. */
export interface SyncProblem {
  code: string
  message: string
}

export interface SyncStatus {
  /** The engine's id (one per leading worker), null before one reported. */
  engine: string | null
  /** `signed-out`: the server answered 401: local work waits for the next sign-in. */
  connection: 'connecting' | 'online' | 'offline' | 'unreachable' | 'signed-out'
  /** Events of this device that the server has not confirmed yet. */
  pending: number
  pendingCommits: PendingCommit[]
  /** The log position up to which the engine has looked for local events. */
  scanned: number
  /** The user's position pulled so far (the pull cursor). */
  cursor: number
  /** The user's head, as the server last said. */
  head: number
  live: LiveState
  lastPush: SyncExchange | null
  lastPull: SyncExchange | null
  /**
   * What stops sync now (the server's error, a storage failure, `check_failed` while a stream is
   * held because the app's check threw what is not a refusal), null when nothing does.
   */
  problem: SyncProblem | null
  /** When the next try is due after a failure (ISO 8601), null when none is. */
  retryAt: string | null
  /** The latest reports, newest last (all of them are in `syncReports`). */
  reports: SyncReport[]
  /** The shared spaces the user is a member of, as the last cycle found them (the personal space is `cursor` and `head`). */
  spaces: SyncSpace[]
}

/** A shared space as the engine syncs it. */
export interface SyncSpace {
  id: string
  name: string
  role: 'owner' | 'editor' | 'viewer'
  /** The space's head, as the server last said. */
  head: number
  /** Its position pulled so far. */
  cursor: number
}

export const initialSyncStatus: SyncStatus = {
  engine: null,
  connection: 'connecting',
  pending: 0,
  pendingCommits: [],
  scanned: 0,
  cursor: 0,
  head: 0,
  live: 'off',
  lastPush: null,
  lastPull: null,
  problem: null,
  retryAt: null,
  reports: [],
  spaces: [],
}

/** Between the leading worker's engine and the pages, on the database's sync channel. */
export type SyncMessage =
  | { type: 'sync-status'; status: SyncStatus }
  | { type: 'sync-status-request' }
  /** Sync now (a page came online, the user asked); `committed`: a page's commit to a synced stream, at this log position. */
  | { type: 'sync-now'; committed?: number }
  /** The engine changed the log: `rewritten` when it took events out (a rebase), so views reload. */
  | { type: 'sync-changed'; streams: string[]; rewritten: boolean }

export const syncChannelName = (database: string): string => `kiroku-sync:${database}`
