import { useEffect, useState } from 'react'
import type { EventStore } from '../../eventstore'
import type { ChangeFeed } from '../types'
import type { TimelineFilter } from './filter'
import { TimelineModel, type TimelineOptions } from './TimelineModel'

/**
 * A timeline model for the filter, kept live: every change to the log (`store.onChange`: this tab's
 * commits, other tabs', the worker's) and `changes` make it read what is new. A new filter gets a
 * new model; the old one stops.
 */
export function useTimelineModel(store: EventStore, filter: TimelineFilter, changes: ChangeFeed | undefined, options: TimelineOptions): TimelineModel | null {
  const [model, setModel] = useState<TimelineModel | null>(null)
  const key = JSON.stringify(filter)
  const { pageSize, scanChunk, liveCap } = options
  useEffect(() => {
    const next = new TimelineModel(store, JSON.parse(key) as TimelineFilter, { pageSize, scanChunk, liveCap })
    setModel(next)
    const offCommit = store.onChange(() => void next.refresh())
    const offChanges = changes?.subscribe(() => void next.refresh())
    return () => {
      offCommit()
      offChanges?.()
      next.dispose()
    }
  }, [store, key, changes, pageSize, scanChunk, liveCap])
  return model
}
