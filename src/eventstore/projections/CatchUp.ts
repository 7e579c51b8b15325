import type { EventStore } from '../client'
import { ProjectionTransactionExpiredError } from '../errors'
import type { RecordedEvent } from '../events'
import type { Checkpoints, PlainError, Position } from './Checkpoints'
import { CheckpointMoved, commitBatch } from './commitBatch'
import type { ProjectionDefinition, ProjectionStatus } from './Projection'

export interface RetryPolicy {
  /** Events read and applied per transaction. */
  batchSize: number
  /** Tries at one event before the projection stops there. */
  maxAttempts: number
  /** Milliseconds to wait before try n + 1. */
  backoff: (attempt: number) => number
  sleep: (ms: number) => Promise<void>
}

/** One projection as the runner tracks it. */
export interface Tracked {
  readonly definition: ProjectionDefinition
  readonly types: ReadonlySet<string>
  readonly status: ProjectionStatus
  /** Paused (a rebuild is clearing it) or stopped (the runner is over): end the catch-up here. */
  interrupted(): boolean
}

/** What the catch-up tells its runner. */
export interface CatchUpHooks {
  stopped(): boolean
  emit(): void
  failed(projection: Tracked, failure: { eventId: string; position: number; attempts: number; error: PlainError }, state: 'retrying' | 'stopped'): void
}

/**
 * Brings one projection up to the log's head, batch by batch from its checkpoint. A failing batch
 * is retried event by event to find the one at fault, keeping every one before it; that event is
 * retried with back-off, then the projection stops there, visibly, with the failure kept.
 */
export class CatchUp {
  constructor(
    private readonly store: EventStore,
    private readonly checkpoints: Checkpoints,
    private readonly policy: RetryPolicy,
    private readonly hooks: CatchUpHooks,
  ) {}

  async run(projection: Tracked): Promise<void> {
    const { status } = projection
    if (status.state === 'stopped') return
    // The log's end as it is now: it moves back when a replica takes unconfirmed events out (sync).
    status.head = (await this.store.read.last())?.globalPosition ?? 0
    for (;;) {
      if (projection.interrupted()) return
      const from = await this.checkpoints.get(projection.definition.name)
      // By position, not by the checkpoint's event id: global positions are never handed out
      // twice, and the checkpoint's event may be gone (truncateStream) while the log goes on.
      const batch = await this.store.read.after(from.position).limit(this.policy.batchSize).toArray()
      if (batch.length === 0) {
        this.reached(status, from.position)
        this.hooks.emit()
        return
      }
      const last = batch.at(-1)!
      status.head = Math.max(status.head, last.globalPosition)
      // Behind by this batch at least: catching up, with the lag to show for it.
      this.reached(status, from.position)
      if (!(await this.applyWithRetries(projection, from, batch))) return
      status.attempts = 0
      this.reached(status, last.globalPosition)
      if (status.progress) status.progress.done += batch.length
      this.hooks.emit()
    }
  }

  /**
   * Moves the status to `checkpoint` and derives the rest from it, so no status is ever emitted
   * as catching up with nothing left to catch up on (or idle while behind the head it knows).
   */
  private reached(status: ProjectionStatus, checkpoint: number): void {
    status.checkpoint = checkpoint
    status.lag = Math.max(0, status.head - checkpoint)
    if (status.state !== 'rebuilding') status.state = status.lag > 0 ? 'catching-up' : 'idle'
  }

  /** Applies a batch; on failure, event by event with back-off. False when the projection stopped. */
  private async applyWithRetries(projection: Tracked, from: Position, batch: RecordedEvent[]): Promise<boolean> {
    try {
      await this.commit(projection, from, batch)
      return true
    } catch (error) {
      if (error instanceof CheckpointMoved) return true
      if (this.hooks.stopped()) return false
      if (error instanceof ProjectionTransactionExpiredError) return this.expired(projection, error)
    }
    // Find the event that fails, keeping every one before it.
    let at = from
    for (const event of batch) {
      for (let attempt = 1; ; attempt++) {
        try {
          at = await this.commit(projection, at, [event])
          break
        } catch (error) {
          if (error instanceof CheckpointMoved) return true
          if (this.hooks.stopped()) return false
          if (error instanceof ProjectionTransactionExpiredError) return this.expired(projection, error)
          const plain = { name: (error as Error)?.name ?? 'Error', message: (error as Error)?.message ?? String(error) }
          if (attempt >= this.policy.maxAttempts) {
            await this.stop(projection, event, attempt, plain)
            return false
          }
          this.hooks.failed(projection, { eventId: event.eventId, position: event.globalPosition, attempts: attempt, error: plain }, 'retrying')
          await this.policy.sleep(this.policy.backoff(attempt))
          if (projection.interrupted()) return false
        }
      }
    }
    return true
  }

  /** Applies events and moves the checkpoint past them, in one transaction. */
  private commit(projection: Tracked, from: Position, events: RecordedEvent[]): Promise<Position> {
    return commitBatch(this.store, projection.definition, projection.types, from, events)
  }

  /**
   * The batch's transaction ended while apply awaited other work. Retrying could only apply the
   * event again on top of what IndexedDB already committed, so the projection stops there.
   */
  private async expired(projection: Tracked, error: ProjectionTransactionExpiredError): Promise<false> {
    await this.stop(projection, { eventId: error.eventId, globalPosition: error.position }, 1, { name: error.name, message: error.message })
    return false
  }

  /** Stops the projection at `event`, keeping the failure with its checkpoint. */
  async stop(projection: Tracked, event: Pick<RecordedEvent, 'eventId' | 'globalPosition'>, attempts: number, error: PlainError): Promise<void> {
    const row = await this.checkpoints.keepFailure(projection.definition.name, event, attempts, error)
    // The checkpoint as committed: before the event, or at it if its transaction committed early.
    projection.status.checkpoint = Math.max(projection.status.checkpoint, row.position)
    this.hooks.failed(projection, { eventId: event.eventId, position: event.globalPosition, attempts, error }, 'stopped')
  }
}
