/** A value that changes over time: read it, and hear when it changes (what React's useSyncExternalStore takes). */
export interface ValueSource<T> {
  getSnapshot(): T
  subscribe(listener: () => void): () => void
}

/** A ValueSource the owner sets; setting an equal value notifies nobody. */
export function valueSource<T>(initial: T): ValueSource<T> & { set(value: T): void } {
  let value = initial
  const listeners = new Set<() => void>()
  return {
    getSnapshot: () => value,
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    set(next) {
      if (Object.is(next, value)) return
      value = next
      for (const listener of listeners) listener()
    },
  }
}
