/**
 * Runs a task one at a time: a kick while it runs asks for one more run once it is done, however
 * many kicks came meanwhile (a burst of commits costs one catch-up, not one each). While paused,
 * kicks do nothing.
 */
export class CoalescedRun {
  private running: Promise<void> | null = null
  private again = false
  private paused = false

  constructor(
    private readonly task: () => Promise<void>,
    /** True once its owner stopped for good: no further run, and a failure it caused is not one. */
    private readonly stopped: () => boolean,
  ) {}

  get isPaused(): boolean {
    return this.paused
  }

  kick(): Promise<void> {
    if (this.paused || this.stopped()) return Promise.resolve()
    if (this.running) {
      this.again = true
      return this.running
    }
    this.running = (async () => {
      try {
        do {
          this.again = false
          await this.task()
        } while (this.again && !this.stopped() && !this.paused)
      } catch (error) {
        // Stopped (its store closed) in the middle of a run: nothing of that run committed.
        if (!this.stopped()) throw error
      }
    })().finally(() => {
      this.running = null
    })
    return this.running
  }

  /** Runs fn with kicks paused, once the current run is over (whether it succeeded or not: its caller hears of its failure). */
  async whilePaused<T>(fn: () => Promise<T>): Promise<T> {
    this.paused = true
    try {
      await this.running?.catch(() => undefined)
      return await fn()
    } finally {
      this.paused = false
    }
  }
}
