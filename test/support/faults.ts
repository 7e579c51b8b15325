// Fault injection into IndexedDB itself (real Chromium or fake-indexeddb): the k-th request made
// through the patched methods aborts its transaction, or a write fails as a full disk would.

type Patch = { target: any; name: string; original: any }

const REQUEST_METHODS: Array<[() => any, string[]]> = [
  [() => IDBObjectStore.prototype, ['add', 'put', 'get', 'getAll', 'getKey', 'count', 'delete', 'openCursor', 'openKeyCursor']],
  [() => IDBIndex.prototype, ['get', 'getAll', 'getKey', 'count', 'openCursor', 'openKeyCursor']],
]

function patchAll(wrap: (original: (...args: any[]) => IDBRequest, name: string) => (this: any, ...args: any[]) => IDBRequest): () => void {
  const patches: Patch[] = []
  for (const [target, names] of REQUEST_METHODS) {
    const proto = target()
    for (const name of names) {
      const original = proto[name]
      if (typeof original !== 'function') continue
      patches.push({ target: proto, name, original })
      proto[name] = wrap(original, name)
    }
  }
  return () => {
    for (const p of patches.reverse()) p.target[p.name] = p.original
  }
}

/** Counts the requests `run` makes. */
export async function countRequests(run: () => Promise<unknown>): Promise<number> {
  let count = 0
  const restore = patchAll((original) =>
    function (this: any, ...args: any[]) {
      count += 1
      return original.apply(this, args)
    },
  )
  try {
    await run()
  } finally {
    restore()
  }
  return count
}

/** Runs `run` with the k-th request (1-based) aborting its transaction right after it is made. */
export async function abortingAt<T>(k: number, run: () => Promise<T>): Promise<T> {
  let count = 0
  const restore = patchAll((original) =>
    function (this: any, ...args: any[]) {
      const request = original.apply(this, args)
      if (++count === k) ('objectStore' in this ? (this as IDBIndex).objectStore : (this as IDBObjectStore)).transaction.abort()
      return request
    },
  )
  try {
    return await run()
  } finally {
    restore()
  }
}

/** Runs `run` with every add and put failing as a browser does when storage is full. */
export async function withFullDisk<T>(run: () => Promise<T>): Promise<T> {
  const proto = IDBObjectStore.prototype as any
  const originals = { add: proto.add, put: proto.put }
  const full = () => {
    throw new DOMException('The quota has been exceeded.', 'QuotaExceededError')
  }
  proto.add = full
  proto.put = full
  try {
    return await run()
  } finally {
    proto.add = originals.add
    proto.put = originals.put
  }
}
