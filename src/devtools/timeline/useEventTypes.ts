import { useEffect, useState } from 'react'
import type { EventStore, RecordedEvent } from '../../eventstore'
import type { ChangeFeed } from '../types'

export interface EventTypes {
  types: readonly string[]
  /** False until the whole log has been looked at once. */
  complete: boolean
}

/**
 * The event types present in the log. The log has no index by type, so this reads it once in
 * big batches (after the first rows have had their turn), then follows commits from there.
 */
export function useEventTypes(store: EventStore, changes: ChangeFeed | undefined): EventTypes {
  const [state, setState] = useState<EventTypes>({ types: [], complete: false })
  useEffect(() => {
    let live = true
    const seen = new Set<string>()
    let lastId: string | null = null
    let reading: Promise<void> = Promise.resolve()
    const publish = (complete: boolean) => live && setState({ types: [...seen].sort(), complete })
    const add = (events: readonly RecordedEvent[]) => {
      const before = seen.size
      for (const event of events) seen.add(event.type)
      return seen.size !== before
    }
    const readOn = async () => {
      const query = lastId === null ? store.read : store.read.from(lastId)
      for await (const batch of query.inBatches(5000)) {
        if (!live) return
        lastId = (batch.at(-1) as RecordedEvent).eventId
        if (add(batch)) publish(false)
      }
      publish(true)
    }
    const follow = () => {
      reading = reading.then(readOn).catch(() => {
        publish(true)
      })
    }
    // Let the timeline's first page go first.
    const start = setTimeout(follow, 0)
    const offCommit = store.onCommit(follow)
    const offChanges = changes?.subscribe(follow)
    return () => {
      live = false
      clearTimeout(start)
      offCommit()
      offChanges?.()
    }
  }, [store, changes])
  return state
}
