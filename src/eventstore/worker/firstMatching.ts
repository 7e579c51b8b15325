/** Something that has a current view and tells when it changes (a worker client's, sync's). */
export interface ViewSource<V> {
  getSnapshot(): V
  subscribe(listener: (view: V) => void): () => void
}

/** Resolves with the first view of `source` (now or later) that satisfies the predicate. */
export function firstMatching<V>(source: ViewSource<V>, predicate: (view: V) => boolean): Promise<V> {
  const now = source.getSnapshot()
  if (predicate(now)) return Promise.resolve(now)
  return new Promise((resolve) => {
    const off = source.subscribe((view) => {
      if (!predicate(view)) return
      off()
      resolve(view)
    })
  })
}
