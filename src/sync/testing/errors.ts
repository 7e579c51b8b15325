// How a simulated world of devices fails a test: it cannot be set up, sync never settles, or the
// devices do not agree with the server. Each error names the devices and streams concerned, so a
// failing property says what to look at without a debugger.
import { EventStoreError } from '../../eventstore'

/** The world could not be made as asked: a sign-up the server refused, a store without sync's tables. */
export class SyncWorldSetupError extends EventStoreError {
  override name = 'SyncWorldSetupError'
}

/** Rounds of "every device syncs once" ended with something still waiting; `waiting` says what, one line per device. */
export class SyncDidNotSettleError extends EventStoreError {
  override name = 'SyncDidNotSettleError'
  constructor(
    readonly rounds: number,
    readonly waiting: readonly string[],
  ) {
    super(`Sync did not settle in ${rounds} round${rounds === 1 ? '' : 's'}: ${waiting.join('; ')}.`, { rounds, waiting: [...waiting] })
  }
}

/** The devices and the server's log disagree; `differences` says where, one line each. */
export class NotConvergedError extends EventStoreError {
  override name = 'NotConvergedError'
  constructor(readonly differences: readonly string[]) {
    const shown = differences.slice(0, 20)
    const more = differences.length - shown.length
    super(
      `The devices did not converge (${differences.length} difference${differences.length === 1 ? '' : 's'}):\n- ${shown.join('\n- ')}${more > 0 ? `\n- … and ${more} more` : ''}`,
      { differences: [...differences] },
    )
  }
}
