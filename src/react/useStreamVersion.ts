import { useEffect, useMemo, useSyncExternalStore } from 'react'
import { useStore } from './KirokuProvider'
import { StreamVersion, type ChangeSource } from './StreamVersion'

export interface StreamVersionOptions {
  /**
   * Commits the store cannot see: another tab's (the store's onCommit hears this tab's only), a
   * sync engine's. Each notification reads the version again. Keep it stable (useMemo): a new
   * object subscribes again.
   */
  changes?: ChangeSource
}

/**
 * The version of a stream of the provider's store (-1 when empty), read again after each commit;
 * undefined until the first read ends. A failed read is thrown to the nearest error boundary.
 */
export function useStreamVersion(stream: string, options: StreamVersionOptions = {}): number | undefined {
  const store = useStore()
  const source = useMemo(() => new StreamVersion(store, stream), [store, stream])
  const { changes } = options
  useEffect(() => changes?.subscribe(source.refresh), [changes, source])
  const { version, error } = useSyncExternalStore(source.subscribe, source.getState, source.getState)
  if (error !== undefined) throw error
  return version
}
