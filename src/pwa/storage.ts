import { valueSource, type ValueSource } from './ValueSource'

/** 'unknown' until asked; 'persistent' when the browser promised not to clear this site's data. */
export type Persistence = 'unknown' | 'persistent' | 'best-effort' | 'unsupported'

export interface StoragePersistence extends ValueSource<Persistence> {
  /** Asks once for persistent storage (call it when the user has just saved something worth keeping). */
  request(): Promise<Persistence>
}

export function storagePersistence(): StoragePersistence {
  const source = valueSource<Persistence>('unknown')
  const storage = navigator.storage as StorageManager | undefined
  if (!storage?.persist) source.set('unsupported')
  else void storage.persisted().then((granted) => granted && source.set('persistent'))
  let asked: Promise<Persistence> | null = null
  return {
    ...source,
    request() {
      if (!storage?.persist) return Promise.resolve<Persistence>('unsupported')
      asked ??= storage
        .persist()
        .then((granted): Persistence => (granted ? 'persistent' : 'best-effort'))
        .catch((): Persistence => 'best-effort')
        .then((result) => {
          source.set(result)
          return result
        })
      return asked
    },
  }
}
