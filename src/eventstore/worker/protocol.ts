// The messages between pages and the projection worker, imported by both sides. Errors cross as
// plain objects with their name and fields (reviveError turns them back into classes).
import type { ProjectionStatus } from '../projections'
import { channelName } from '../client'

// Every connection to a database announces its commits on this channel (the store's change feed), so
// the leader hears every tab's and worker's commits without being told by the pages.
export { channelName }

export interface PlainError {
  name: string
  message: string
  fields?: Record<string, unknown>
}

/** Page → its own worker, by postMessage. */
export type PageMessage = { type: 'start'; database: string; options?: unknown } | { type: 'stop' }

/** Anyone → the leader, on the database's BroadcastChannel (pages and workers of every tab). */
export type ChannelMessage =
  | { type: 'committed'; position: number; origin?: string; rewritten?: boolean }
  | { type: 'rebuild'; projection: string }
  | { type: 'retry'; projection: string }
  | { type: 'status-request' }
  | { type: 'status'; leader: string; projections: ProjectionStatus[] }

/** Worker → its own page, by postMessage. */
export type WorkerMessage =
  | { type: 'role'; leader: boolean; id: string }
  | { type: 'failed'; error: PlainError }

export const lockName = (database: string): string => `kiroku:projections:${database}`

export function plainError(error: unknown): PlainError {
  if (error instanceof Error) {
    const fields = (error as { fields?: Record<string, unknown> }).fields
    return fields ? { name: error.name, message: error.message, fields } : { name: error.name, message: error.message }
  }
  return { name: 'Error', message: String(error) }
}
