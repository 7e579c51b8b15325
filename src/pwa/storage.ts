import { valueSource, type ValueSource } from './ValueSource'

/**
 * 'unknown' until known; 'persistent' when the browser promised not to clear this site's data;
 * 'best-effort' when it did not (the usual case, and no cause for alarm); 'at-risk' when it did
 * not and the device is nearly out of the space the browser gives the site.
 */
export type Persistence = 'unknown' | 'persistent' | 'best-effort' | 'unsupported' | 'at-risk'

export interface StoragePersistence extends ValueSource<Persistence> {
  /** Asks once for persistent storage (call it when the user has just saved something worth keeping). */
  request(): Promise<Persistence>
}

/** Above this share of its quota, a site's best-effort data is the first the browser clears. */
const AT_RISK_SHARE = 0.9

export function storagePersistence(): StoragePersistence {
  const source = valueSource<Persistence>('unknown')
  const storage = navigator.storage as StorageManager | undefined
  // Without persistence, whether the data is at risk depends on the space left.
  const notPersisted = async (): Promise<Persistence> => {
    try {
      const { usage = 0, quota = 0 } = (await storage?.estimate?.()) ?? {}
      return quota > 0 && usage / quota > AT_RISK_SHARE ? 'at-risk' : 'best-effort'
    } catch {
      return 'best-effort'
    }
  }
  // The same answer after a reload as before it: the browser remembers what it granted.
  const known = !storage?.persist
    ? Promise.resolve<Persistence>('unsupported')
    : storage
        .persisted()
        .then((granted) => (granted ? 'persistent' : notPersisted()))
        .catch(() => notPersisted())
  void known.then((answer) => source.getSnapshot() === 'unknown' && source.set(answer))
  let asked: Promise<Persistence> | null = null
  return {
    ...source,
    request() {
      if (!storage?.persist) return Promise.resolve<Persistence>('unsupported')
      asked ??= storage
        .persist()
        .then((granted) => (granted ? 'persistent' : notPersisted()))
        .catch(() => notPersisted())
        .then((result) => {
          source.set(result)
          return result
        })
      return asked
    },
  }
}
