import { useCallback, useEffect, useMemo, useRef, useSyncExternalStore } from 'react'

/**
 * Anything with a current state and a way to hear that it changed: a zustand vanilla store, a
 * sync projection. Sources shaped for React (`getSnapshot`, as the library's
 * ProjectionWorkerClient) are taken too. `subscribe` returns its unsubscribe function; the state
 * must be a new value when (and only when) it changes.
 */
export type ProjectionSource<T> =
  | { getState(): T; subscribe(listener: () => void): () => void }
  | { getSnapshot(): T; subscribe(listener: () => void): () => void }

const stateOf = <T>(source: ProjectionSource<T>): T => ('getState' in source ? source.getState() : source.getSnapshot())
const identity = <T>(state: T): T => state

/**
 * The source's state, or the part of it the selector picks. The component renders again only when
 * that part changes (`isEqual`, `Object.is` by default), so a selector may build a new array or
 * object as long as `isEqual` says when two are the same. The selector need not be stable.
 */
export function useProjection<T>(source: ProjectionSource<T>): T
export function useProjection<T, U>(source: ProjectionSource<T>, selector: (state: T) => U, isEqual?: (a: U, b: U) => boolean): U
export function useProjection<T, U>(source: ProjectionSource<T>, selector: (state: T) => U = identity as (state: T) => U, isEqual: (a: U, b: U) => boolean = Object.is): U {
  // The selection last rendered: an equal new one keeps its identity, so React sees no change.
  const rendered = useRef<{ value: U } | null>(null)
  const subscribe = useCallback((listener: () => void) => source.subscribe(listener), [source])
  const getSelection = useMemo(() => {
    // React calls this on every render and every notification: select again only for a new state.
    let memo: { state: T; selection: U } | null = null
    return (): U => {
      const state = stateOf(source)
      if (memo && Object.is(memo.state, state)) return memo.selection
      const next = selector(state)
      const previous = memo ? memo.selection : rendered.current?.value
      const selection = (memo || rendered.current) && isEqual(previous as U, next) ? (previous as U) : next
      memo = { state, selection }
      return selection
    }
  }, [source, selector, isEqual])
  const value = useSyncExternalStore(subscribe, getSelection, getSelection)
  useEffect(() => {
    rendered.current = { value }
  }, [value])
  return value
}
