import { useEffect, useState } from 'react'
import type { EventStore, RecordedEvent } from '../../eventstore'
import type { ChangeFeed } from '../types'
import type { TimelineModel } from './TimelineModel'

export interface EventTypes {
  types: readonly string[]
  /** False until the whole log has been looked at once. */
  complete: boolean
}

/**
 * The event types present in the log. The log has no index by type, so this reads it once in
 * big batches, then follows commits from there. It starts once the timeline has its first page:
 * a batch of 5,000 events read and deserialised meanwhile holds the first rows back (by 80–100 ms
 * in Chromium, where they take about 20 ms on their own; bench/README.md, row 7).
 */
export function useEventTypes(store: EventStore, changes: ChangeFeed | undefined, timeline: TimelineModel | null): EventTypes {
  const [state, setState] = useState<EventTypes>({ types: [], complete: false })
  const mayStart = useFirstPageRead(timeline)
  useEffect(() => {
    if (!mayStart) return
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
    follow()
    const offCommit = store.onCommit(follow)
    const offChanges = changes?.subscribe(follow)
    return () => {
      live = false
      offCommit()
      offChanges?.()
    }
  }, [store, changes, mayStart])
  return state
}

/** Turns true once the timeline (whichever model it has by then) has read its first page, and stays true. */
function useFirstPageRead(timeline: TimelineModel | null): boolean {
  const [read, setRead] = useState(false)
  useEffect(() => {
    if (read || !timeline) return
    const check = () => {
      const { rows, exhausted, error } = timeline.getSnapshot()
      if (rows.length > 0 || exhausted || error !== null) setRead(true)
    }
    check()
    return timeline.subscribe(check)
  }, [timeline, read])
  return read
}
