import { useCallback } from 'react'
import { DomainError } from '../domain'
import { StorageQuotaExceededError } from '../eventstore'
import { useCommand } from '../react'
import { useUnexpectedError } from './errors'

export interface ShopCommand<A extends unknown[]> {
  /** Resolves true once the command is done, false when it failed (it never rejects). */
  run: (...args: A) => Promise<boolean>
  pending: boolean
  /** A message fit to show next to the control that ran the command. */
  error: string | null
}

/** What the user is told about a failure they can act on; null for one they cannot. */
function messageOf(error: unknown): string | null {
  if (error instanceof DomainError) return error.message
  if (error instanceof StorageQuotaExceededError) return 'This device is out of storage space: the last change was not saved. Everything before it is kept.'
  return null
}

/**
 * A shop command for a control, on the library's useCommand: a business rule's refusal, or a full
 * disk, becomes a message next to it; anything unexpected goes to the error screen (nothing the
 * user did is lost: the store wrote nothing for the failed command).
 */
export function useShopCommand<A extends unknown[]>(command: (...args: A) => Promise<unknown>): ShopCommand<A> {
  const unexpected = useUnexpectedError()
  const { run, pending, error } = useCommand(command)
  const runShop = useCallback(
    async (...args: A) => {
      const outcome = await run(...args)
      if (!outcome.ok && messageOf(outcome.error) === null) unexpected(outcome.error)
      return outcome.ok
    },
    [run, unexpected],
  )
  return { run: runShop, pending, error: error === null ? null : messageOf(error) }
}
