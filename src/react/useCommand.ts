import { useInsertionEffect, useMemo, useState, useSyncExternalStore } from 'react'
import { CommandRunner, type CommandOutcome } from './CommandRunner'

export interface Command<A extends unknown[], R> {
  /** Runs the command; stable across renders. Never rejects: failures land in `error` and the outcome. */
  run: (...args: A) => Promise<CommandOutcome<R>>
  pending: boolean
  /** The latest run's failure, or null. */
  error: unknown
  /** Clears `error` and lets no run under way change the state any more. */
  reset: () => void
}

/**
 * A command for a control: its pending and error state. Of overlapping runs the latest one's end
 * wins (an earlier one that ends later changes nothing); after unmount nothing is updated. The
 * function may change on every render: a run calls the one from the latest committed render.
 */
export function useCommand<A extends unknown[], R>(command: (...args: A) => R | Promise<R>): Command<A, R> {
  const [runner] = useState(() => new CommandRunner(command))
  // Before any layout effect or event handler can call run.
  useInsertionEffect(() => {
    runner.command = command
  })
  const { pending, error } = useSyncExternalStore(runner.subscribe, runner.getState, runner.getState)
  return useMemo(() => ({ run: runner.run, reset: runner.reset, pending, error }), [runner, pending, error])
}
