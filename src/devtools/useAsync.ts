import { useEffect, useState } from 'react'

export type AsyncState<T> = { status: 'loading' } | { status: 'done'; value: T } | { status: 'failed'; error: string }

/**
 * The result of an async read, redone whenever `deps` change; a result that arrives after the
 * deps moved on is dropped, so a slow read never overwrites a newer one.
 */
export function useAsync<T>(read: () => Promise<T>, deps: readonly unknown[]): AsyncState<T> {
  const [state, setState] = useState<{ deps: readonly unknown[]; result: AsyncState<T> }>({ deps, result: { status: 'loading' } })
  useEffect(() => {
    let live = true
    read().then(
      (value) => live && setState({ deps, result: { status: 'done', value } }),
      (error: unknown) => live && setState({ deps, result: { status: 'failed', error: error instanceof Error ? error.message : String(error) } }),
    )
    return () => {
      live = false
    }
    // The caller's deps are the dependencies, as with useEffect.
  }, deps)
  // Until the effect for new deps has run, what is held belongs to the old ones.
  return sameDeps(state.deps, deps) ? state.result : { status: 'loading' }
}

const sameDeps = (a: readonly unknown[], b: readonly unknown[]) => a.length === b.length && a.every((value, i) => Object.is(value, b[i]))
