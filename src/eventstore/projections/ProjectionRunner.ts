import type { EventStore } from '../client'
import { typeOf } from '../events'
import { CatchUp, type CatchUpHooks, type Tracked } from './CatchUp'
import { Checkpoints, type PlainError } from './Checkpoints'
import { CoalescedRun } from './CoalescedRun'
import { currentTransaction } from './commitBatch'
import type { ProjectionDefinition, ProjectionStatus } from './Projection'
import { PROJECTIONS } from '../storage'

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
  /**
   * A catch-up that failed with nobody awaiting it (one the store's commits started). Defaults to
   * the platform's reportError (an uncaught error in the console).
   */
  onError?: (error: unknown) => void
}

interface Entry extends Tracked {
  readonly run: CoalescedRun
}

/**
 * Runs deferred projections from the log: each batch of events and the checkpoint after it
 * commit in one transaction (commitBatch), so a crash anywhere re-applies nothing and skips
 * nothing. Each projection catches up on its own (CatchUp: batches, retries with back-off, a
 * visible stop), one run at a time (CoalescedRun). Once started it follows every change to the
 * log (`store.onChange`: this store's commits and every other connection's announced on the
 * database's channel); `notify` is for changes it cannot hear (a store opened with `channel: false`). It lives
 * as long as its store: when the store closes, for whatever reason, the runner stops.
 */
export class ProjectionRunner {
  private readonly entries = new Map<string, Entry>()
  private readonly checkpoints: Checkpoints
  private readonly catchUp: CatchUp
  private stopped = false
  private readonly offClose: (() => void) | undefined
  private offCommit: (() => void) | null = null

  constructor(
    private readonly store: EventStore,
    projections: readonly ProjectionDefinition[],
    private readonly options: ProjectionRunnerOptions = {},
  ) {
    this.checkpoints = new Checkpoints(store)
    const hooks: CatchUpHooks = {
      stopped: () => this.stopped,
      emit: () => this.emit(),
      failed: (projection, { eventId, position, attempts, error }, state) => this.setFailure(projection, eventId, position, attempts, error, state),
    }
    this.catchUp = new CatchUp(
      store,
      this.checkpoints,
      {
        batchSize: options.batchSize ?? 250,
        maxAttempts: options.maxAttempts ?? 5,
        backoff: options.backoff ?? ((attempt) => Math.min(100 * 2 ** (attempt - 1), 10_000)),
        sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
      },
      hooks,
    )
    for (const definition of projections) {
      if (this.entries.has(definition.name)) throw new Error(`Two projections are named "${definition.name}".`)
      if (!definition.apply && !definition.applyBatch) throw new Error(`Projection "${definition.name}" needs apply or applyBatch.`)
      const entry: Entry = {
        definition,
        types: new Set(definition.events.map(typeOf)),
        status: { name: definition.name, state: 'starting', checkpoint: 0, head: 0, lag: 0, attempts: 0 },
        run: new CoalescedRun(() => this.catchUp.run(entry), () => this.stopped),
        interrupted: () => this.stopped || entry.run.isPaused,
      }
      this.entries.set(definition.name, entry)
    }
    // Last, so a store closed already stops a runner that is complete.
    this.offClose = store.onClose(() => this.stop())
  }

  /**
   * Loads each checkpoint (and a failure kept from an earlier run), then catches up, and from then
   * on catches up after each of the store's commits by itself. Resolves once the first catch-up is over.
   */
  async start(): Promise<void> {
    if (this.stopped) return
    // Started already (or starting): only catch up.
    if (this.offCommit) return this.notify()
    this.offCommit = () => undefined
    const outdated: string[] = []
    try {
      for (const entry of this.entries.values()) {
        const row = await this.checkpoints.get(entry.definition.name)
        Object.assign(entry.status, { checkpoint: row.position, state: 'idle' })
        if (row.failure) this.setFailure(entry, row.failure.eventId, row.failure.position, row.failure.attempts, row.failure.error)
        // Its code says its read model changed shape: what the tables hold was made the old way.
        if (row.eventId !== null && (row.version ?? 1) !== versionOf(entry.definition)) outdated.push(entry.definition.name)
      }
    } catch (error) {
      // The store closed under it: nothing to start.
      if (this.stopped) return
      this.offCommit = null
      throw error
    }
    this.emit()
    if (this.stopped) return
    // Changes to the log from here on, whatever made them (this store, another tab, a worker),
    // kick a catch-up; the one below covers everything committed before.
    this.offCommit = this.store.onChange(() => void this.notify().catch((error: unknown) => this.report(error)))
    await Promise.all([...outdated.map((name) => this.rebuild(name)), this.notify()])
  }

  /**
   * New events may have committed: every running projection catches up (calls coalesce, so an
   * extra notify costs one read at most). A started runner hears every change to the log itself
   * (`store.onChange`); call this for changes its store cannot hear.
   */
  async notify(): Promise<void> {
    await Promise.all([...this.entries.values()].map((entry) => entry.run.kick()))
  }

  status(): ProjectionStatus[] {
    return [...this.entries.values()].map((entry) => structuredClone(entry.status))
  }

  /** Resumes a stopped projection from its checkpoint (after its code was fixed, say). */
  async retry(name: string): Promise<void> {
    const entry = this.entry(name)
    if (this.stopped) return
    await this.checkpoints.clearFailure(name)
    Object.assign(entry.status, { state: 'idle', attempts: 0, failure: undefined })
    this.emit()
    await entry.run.kick()
  }

  /** Clears the projection's tables and checkpoint in one transaction, then replays the log in batches. */
  async rebuild(name: string): Promise<void> {
    const entry = this.entry(name)
    if (this.stopped) return
    await entry.run.whilePaused(async () => {
      const { tables } = entry.definition
      await this.store.transaction(async () => {
        const trans = currentTransaction()
        for (const table of tables) await trans.table(table).clear()
        await Checkpoints.reset(trans.table(PROJECTIONS), name, versionOf(entry.definition))
      })
      const total = await this.store.read.count()
      Object.assign(entry.status, { state: 'rebuilding', checkpoint: 0, attempts: 0, failure: undefined, progress: { done: 0, total } })
      this.emit()
    })
    await entry.run.kick()
    if (entry.status.state === 'rebuilding') entry.status.state = 'idle'
    delete entry.status.progress
    this.emit()
  }

  /** Stops for good (its store closing does the same): no new batch starts, calls resolve at once. */
  stop(): void {
    this.stopped = true
    this.offClose?.()
    this.offCommit?.()
  }

  private entry(name: string): Entry {
    const entry = this.entries.get(name)
    if (!entry) throw new Error(`There is no projection named "${name}".`)
    return entry
  }

  private setFailure(
    entry: Tracked,
    eventId: string,
    position: number,
    attempts: number,
    error: PlainError,
    state: ProjectionStatus['state'] = 'stopped',
  ): void {
    Object.assign(entry.status, { state, attempts, failure: { eventId, position, error } })
    this.emit()
  }

  private emit(): void {
    this.options.onStatus?.(this.status())
  }

  private report(error: unknown): void {
    if (this.options.onError) return this.options.onError(error)
    const reportError = (globalThis as { reportError?: (error: unknown) => void }).reportError
    if (reportError) reportError(error)
    else console.error(error)
  }
}

const versionOf = (definition: ProjectionDefinition): number => definition.version ?? 1
