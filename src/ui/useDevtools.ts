import { useEffect, useState, type ComponentType } from 'react'
import { useUnexpectedError } from './errors'

type Module = typeof import('./screens/DevtoolsScreen')

let loaded: Module | null = null

/**
 * The devtools module, loaded the first time it is needed (it is not in the initial script).
 * Not React.lazy: a Suspense fallback, once shown, stays at least 300 ms, longer than the load.
 */
export function useDevtools<K extends 'default' | 'ShopDevtools'>(name: K): ComponentType | null {
  const [module, setModule] = useState<Module | null>(loaded)
  const unexpected = useUnexpectedError()
  useEffect(() => {
    if (module) return
    let live = true
    import('./screens/DevtoolsScreen').then(
      (m) => {
        loaded = m
        if (live) setModule(m)
      },
      (error: unknown) => live && unexpected(error),
    )
    return () => {
      live = false
    }
  }, [module, unexpected])
  return module ? module[name] : null
}
