import { useEffect, useState } from 'react'
import type { EventStore } from '../eventstore'

/** The shell until the shop screens land: shows what the local event log holds, live. */
export function App({ store }: { store: EventStore }) {
  const [count, setCount] = useState<number | null>(null)
  useEffect(() => {
    let live = true
    const refresh = () => void store.read.count().then((n) => live && setCount(n))
    refresh()
    const off = store.onCommit(refresh)
    return () => {
      live = false
      off()
    }
  }, [store])
  return (
    <main>
      <h1>Kiroku shop</h1>
      <p>{count === null ? 'Opening the event log on this device…' : `${count} events stored on this device.`}</p>
    </main>
  )
}
