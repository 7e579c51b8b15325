// What push answers for each commit (the wire protocol's `results`, in order).
import type { ExpectedVersion } from './envelope'

export type RejectReason = 'invalid' | 'unknown_type' | 'duplicate_event' | 'forbidden'

export type CommitResult =
  | { status: 'accepted'; positions: number[]; head: number }
  | { status: 'duplicate'; positions: number[] }
  | { status: 'conflict'; stream: string; expected: ExpectedVersion; actual: number }
  | { status: 'rejected'; reason: RejectReason; message: string }
  | { status: 'blocked' }

export interface PushResult {
  results: CommitResult[]
  /** The user's last partition position after the push (0 before their first event). */
  head: number
}

export const rejected = (reason: RejectReason, message: string): CommitResult => ({ status: 'rejected', reason, message })
