import { useCallback, useState } from 'react'
import { DomainError } from '../domain'
import { StorageQuotaExceededError } from '../eventstore'

export interface CommandState {
  busy: boolean
  /** A message fit to show next to the control that ran the command. */
  error: string | null
}

/**
 * Runs a shop command for a control: a business rule's refusal, or a full disk, becomes a message
 * next to it; anything unexpected goes to the error screen (nothing the user did is lost: the
 * store wrote nothing for the failed command).
 */
export function useCommand<A extends unknown[]>(
  command: (...args: A) => Promise<unknown>,
  onUnexpected: (error: unknown) => void,
): [(...args: A) => Promise<boolean>, CommandState] {
  const [state, setState] = useState<CommandState>({ busy: false, error: null })
  const run = useCallback(
    async (...args: A) => {
      setState({ busy: true, error: null })
      try {
        await command(...args)
        setState({ busy: false, error: null })
        return true
      } catch (error) {
        if (error instanceof DomainError) setState({ busy: false, error: error.message })
        else if (error instanceof StorageQuotaExceededError) setState({ busy: false, error: 'This device is out of storage space: the last change was not saved. Everything before it is kept.' })
        else {
          setState({ busy: false, error: null })
          onUnexpected(error)
        }
        return false
      }
    },
    [command, onUnexpected],
  )
  return [run, state]
}
