// The state behind useCommand, without React: runs a command, keeps whether it is pending and how
// the latest run failed, and tells its subscribers when that changes.

export interface CommandState {
  /** True while the latest run is under way. */
  pending: boolean
  /** What the latest run failed with; null while it is pending, once it succeeded, or after reset. */
  error: unknown
}

/** How one run ended. `superseded`: a later run (or a reset) started before it ended, so the state shows that one instead. */
export type CommandOutcome<R> = { ok: true; value: R; superseded: boolean } | { ok: false; error: unknown; superseded: boolean }

const IDLE: CommandState = { pending: false, error: null }

export class CommandRunner<A extends unknown[], R> {
  private state: CommandState = IDLE
  private readonly listeners = new Set<() => void>()
  /** The number of the latest run: only its end may change the state. */
  private latest = 0

  constructor(public command: (...args: A) => R | Promise<R>) {}

  getState = (): CommandState => this.state

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener)
    return () => void this.listeners.delete(listener)
  }

  /** Never rejects: the outcome says how it went, and the state shows the latest run's. */
  run = async (...args: A): Promise<CommandOutcome<R>> => {
    const id = ++this.latest
    this.set({ pending: true, error: null })
    try {
      const value = await this.command(...args)
      if (id === this.latest) this.set(IDLE)
      return { ok: true, value, superseded: id !== this.latest }
    } catch (error) {
      if (id === this.latest) this.set({ pending: false, error })
      return { ok: false, error, superseded: id !== this.latest }
    }
  }

  /** Forgets the error, and the runs under way: their ends no longer change the state. */
  reset = (): void => {
    this.latest++
    this.set(IDLE)
  }

  private set(next: CommandState): void {
    if (next.pending === this.state.pending && Object.is(next.error, this.state.error)) return
    this.state = next
    for (const listener of [...this.listeners]) listener()
  }
}
