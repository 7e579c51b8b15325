import { CheckpointMoved, commitBatch, currentTransaction, type Position } from './commitBatch'
import { typeOf, type RecordedEvent } from '../events'
import type { EventStore } from '../client'
import { ProjectionTransactionExpiredError } from '../errors'
import type { ProjectionDefinition, ProjectionStatus } from './Projection'
import { CHECKPOINTS, type CheckpointRecord } from '../storage'

export interface ProjectionRunnerOptions {
  /** Events read and applied per transaction. */
  batchSize?: number
  /** Tries at one event before the projection stops there. */
  maxAttempts?: number
  /** Milliseconds to wait before try n + 1. */
  backoff?: (attempt: number) => number
  sleep?: (ms: number) => Promise<void>
  /** Called with every projection's status whenever one changes. */
  onStatus?: (statuses: ProjectionStatus[]) => void
}

interface Entry {
  definition: ProjectionDefinition
  types: Set<string>
  status: ProjectionStatus
  running: Promise<void> | null
  again: boolean
  paused: boolean
}

/**
 * Runs deferred projections from the log: each batch of events and the checkpoint after it
 * commit in one transaction, so a crash anywhere re-applies nothing and skips nothing. A
 * failing event is retried with back-off, then the projection stops there, visibly, while the
 * others go on. It lives as long as its store: when the store closes, for whatever reason, the
 * runner stops.
 */
export class ProjectionRunner {
  private readonly entries = new Map<string, Entry>()
  private readonly batchSize: number
  private readonly maxAttempts: number
  private readonly backoff: (attempt: number) => number
  private readonly sleep: (ms: number) => Promise<void>
  private stopped = false
  private readonly offClose: (() => void) | undefined

  constructor(
    private readonly store: EventStore,
    projections: readonly ProjectionDefinition[],
    private readonly options: ProjectionRunnerOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 250
    this.maxAttempts = options.maxAttempts ?? 5
    this.backoff = options.backoff ?? ((attempt) => Math.min(100 * 2 ** (attempt - 1), 10_000))
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)))
    for (const definition of projections) {
      if (this.entries.has(definition.name)) throw new Error(`Two projections are named "${definition.name}".`)
      if (!definition.apply && !definition.applyBatch) throw new Error(`Projection "${definition.name}" needs apply or applyBatch.`)
      this.entries.set(definition.name, {
        definition,
        types: new Set(definition.events.map(typeOf)),
        status: { name: definition.name, state: 'starting', checkpoint: 0, head: 0, lag: 0, attempts: 0 },
        running: null,
        again: false,
        paused: false,
      })
    }
    // Last, so a store closed already stops a runner that is complete.
    this.offClose = store.onClose(() => this.stop())
  }

  /** Loads each checkpoint (and a failure kept from an earlier run), then catches up. */
  async start(): Promise<void> {
    if (this.stopped) return
    const outdated: string[] = []
    try {
      for (const entry of this.entries.values()) {
        const row = await this.checkpoint(entry.definition.name)
        Object.assign(entry.status, { checkpoint: row.position, state: 'idle' })
        if (row.failure) this.setFailure(entry, row.failure.eventId, row.failure.position, row.failure.attempts, row.failure.error)
        // Its code says its read model changed shape: what the tables hold was made the old way.
        if (row.eventId !== null && (row.version ?? 1) !== versionOf(entry.definition)) outdated.push(entry.definition.name)
      }
    } catch (error) {
      // The store closed under it: nothing to start.
      if (this.stopped) return
      throw error
    }
    this.emit()
    await Promise.all([...outdated.map((name) => this.rebuild(name)), this.notify()])
  }

  /** New events may have committed: every running projection catches up (calls coalesce). */
  async notify(): Promise<void> {
    await Promise.all([...this.entries.values()].map((entry) => this.kick(entry)))
  }

  status(): ProjectionStatus[] {
    return [...this.entries.values()].map((entry) => structuredClone(entry.status))
  }

  /** Resumes a stopped projection from its checkpoint (after its code was fixed, say). */
  async retry(name: string): Promise<void> {
    const entry = this.entry(name)
    if (this.stopped) return
    await this.clearFailure(name)
    Object.assign(entry.status, { state: 'idle', attempts: 0, failure: undefined })
    this.emit()
    await this.kick(entry)
  }

  /** Clears the projection's tables and checkpoint in one transaction, then replays the log in batches. */
  async rebuild(name: string): Promise<void> {
    const entry = this.entry(name)
    if (this.stopped) return
    entry.paused = true
    await entry.running
    try {
      const { tables } = entry.definition
      await this.store.transaction(async () => {
        const trans = currentTransaction()
        for (const table of tables) await trans.table(table).clear()
        await trans.table(CHECKPOINTS).put({ name, position: 0, eventId: null, updatedAt: new Date(), version: versionOf(entry.definition) } satisfies CheckpointRecord)
      })
      const total = await this.store.read.count()
      Object.assign(entry.status, { state: 'rebuilding', checkpoint: 0, attempts: 0, failure: undefined, progress: { done: 0, total } })
      this.emit()
    } finally {
      entry.paused = false
    }
    await this.kick(entry)
    if (entry.status.state === 'rebuilding') entry.status.state = 'idle'
    delete entry.status.progress
    this.emit()
  }

  /** Stops for good (its store closing does the same): no new batch starts, calls resolve at once. */
  stop(): void {
    this.stopped = true
    this.offClose?.()
  }

  private entry(name: string): Entry {
    const entry = this.entries.get(name)
    if (!entry) throw new Error(`There is no projection named "${name}".`)
    return entry
  }

  private kick(entry: Entry): Promise<void> {
    if (entry.paused || this.stopped) return Promise.resolve()
    if (entry.running) {
      entry.again = true
      return entry.running
    }
    entry.running = (async () => {
      try {
        do {
          entry.again = false
          await this.catchUp(entry)
        } while (entry.again && !this.stopped && !entry.paused)
      } catch (error) {
        // Stopped (its store closed) in the middle of a batch: that batch never committed.
        if (!this.stopped) throw error
      }
    })().finally(() => {
      entry.running = null
    })
    return entry.running
  }

  private async catchUp(entry: Entry): Promise<void> {
    const { status } = entry
    if (status.state === 'stopped') return
    status.head = Math.max(status.head, (await this.store.read.last())?.globalPosition ?? 0)
    for (;;) {
      if (this.stopped || entry.paused) return
      const from = await this.checkpoint(entry.definition.name)
      const query = this.store.read.limit(this.batchSize)
      const batch = await (from.eventId ? query.from(from.eventId) : query).toArray()
      if (batch.length === 0) {
        Object.assign(status, { checkpoint: from.position, lag: Math.max(0, status.head - from.position) })
        if (status.state !== 'rebuilding') status.state = 'idle'
        this.emit()
        return
      }
      status.head = Math.max(status.head, batch.at(-1)!.globalPosition)
      if (status.state !== 'rebuilding') status.state = 'catching-up'
      if (!(await this.applyWithRetries(entry, from, batch))) return
      const last = batch.at(-1)!
      Object.assign(status, { checkpoint: last.globalPosition, lag: Math.max(0, status.head - last.globalPosition), attempts: 0 })
      if (status.progress) status.progress.done += batch.length
      this.emit()
    }
  }

  /** Applies a batch; on failure, event by event with back-off. False when the projection stopped. */
  private async applyWithRetries(entry: Entry, from: Position, batch: RecordedEvent[]): Promise<boolean> {
    try {
      await this.commit(entry, from, batch)
      return true
    } catch (error) {
      if (error instanceof CheckpointMoved) return true
      if (this.stopped) return false
      if (error instanceof ProjectionTransactionExpiredError) return this.expired(entry, error)
    }
    // Find the event that fails, keeping every one before it.
    let at = from
    for (const event of batch) {
      for (let attempt = 1; ; attempt++) {
        try {
          at = await this.commit(entry, at, [event])
          break
        } catch (error) {
          if (error instanceof CheckpointMoved) return true
          if (this.stopped) return false
          if (error instanceof ProjectionTransactionExpiredError) return this.expired(entry, error)
          const plain = { name: (error as Error)?.name ?? 'Error', message: (error as Error)?.message ?? String(error) }
          if (attempt >= this.maxAttempts) {
            await this.keepFailure(entry, event, attempt, plain)
            return false
          }
          this.setFailure(entry, event.eventId, event.globalPosition, attempt, plain, 'retrying')
          await this.sleep(this.backoff(attempt))
          if (this.stopped || entry.paused) return false
        }
      }
    }
    return true
  }

  /** Applies events and moves the checkpoint past them, in one transaction. */
  private commit(entry: Entry, from: Position, events: RecordedEvent[]): Promise<Position> {
    return commitBatch(this.store, entry.definition, entry.types, from, events)
  }

  /**
   * The batch's transaction ended while apply awaited other work. Retrying could only apply the
   * event again on top of what IndexedDB already committed, so the projection stops there.
   */
  private async expired(entry: Entry, error: ProjectionTransactionExpiredError): Promise<false> {
    const event = { eventId: error.eventId, globalPosition: error.position }
    await this.keepFailure(entry, event, 1, { name: error.name, message: error.message })
    return false
  }

  private async checkpoint(name: string): Promise<CheckpointRecord> {
    const row = (await this.store.db.table(CHECKPOINTS).get(name)) as CheckpointRecord | undefined
    return row ?? { name, position: 0, eventId: null, updatedAt: new Date(0) }
  }

  private async keepFailure(
    entry: Entry,
    event: Pick<RecordedEvent, 'eventId' | 'globalPosition'>,
    attempts: number,
    error: { name: string; message: string },
  ) {
    const name = entry.definition.name
    const row = await this.checkpoint(name)
    await this.store.db.table(CHECKPOINTS).put({
      ...row,
      failure: { eventId: event.eventId, position: event.globalPosition, attempts, error, at: new Date() },
    } satisfies CheckpointRecord)
    // The checkpoint as committed: before the event, or at it if its transaction committed early.
    entry.status.checkpoint = Math.max(entry.status.checkpoint, row.position)
    this.setFailure(entry, event.eventId, event.globalPosition, attempts, error, 'stopped')
  }

  private async clearFailure(name: string): Promise<void> {
    const row = await this.checkpoint(name)
    if (!row.failure) return
    delete row.failure
    await this.store.db.table(CHECKPOINTS).put(row)
  }

  private setFailure(
    entry: Entry,
    eventId: string,
    position: number,
    attempts: number,
    error: { name: string; message: string },
    state: ProjectionStatus['state'] = 'stopped',
  ): void {
    Object.assign(entry.status, { state, attempts, failure: { eventId, position, error } })
    this.emit()
  }

  private emit(): void {
    this.options.onStatus?.(this.status())
  }
}

const versionOf = (definition: ProjectionDefinition): number => definition.version ?? 1
