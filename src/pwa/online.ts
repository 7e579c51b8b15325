import { valueSource, type ValueSource } from './ValueSource'

/** Whether the browser thinks it has a network connection. The shop works either way. */
export function onlineStatus(): ValueSource<boolean> {
  const source = valueSource(navigator.onLine)
  const update = () => source.set(navigator.onLine)
  window.addEventListener('online', update)
  window.addEventListener('offline', update)
  return source
}
