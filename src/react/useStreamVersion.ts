import { useEffect, useMemo, useSyncExternalStore } from 'react'
import { useStore } from './KirokuProvider'
import { StreamVersion, type ChangeSource } from './StreamVersion'

export interface StreamVersionOptions {
  /**
   * Changes the store cannot hear itself. It hears every change to the log (`store.onChange`:
   * this tab's commits, other tabs', the worker's sync), so this is only for a store opened with
   * `channel: false`, or another signal to read again. Each notification reads the version again.
   * Keep it stable (useMemo): a new object subscribes again.
   */
  changes?: ChangeSource
}

/**
 * The version of a stream of the provider's store (-1 when empty), read again after every change to
 * the log, whatever wrote it; undefined until the first read ends. A failed read is thrown to the
 * nearest error boundary.
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
