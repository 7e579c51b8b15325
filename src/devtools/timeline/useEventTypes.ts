import { useEffect, useState } from 'react'
import { listEventTypes, type EventStore } from '../../eventstore'
import type { ChangeFeed } from '../types'

export interface EventTypes {
  types: readonly string[]
  /** False until the types have been listed once. */
  complete: boolean
}

/**
 * The event types present in the log, from the log's index by type: one key step per type, a few
 * milliseconds whatever the log holds, so it starts at once beside the timeline's first page. It
 * lists them again after every change to the log, whatever wrote it (one listing at a time; changes
 * that arrive meanwhile are covered by one more).
 */
export function useEventTypes(store: EventStore, changes: ChangeFeed | undefined): EventTypes {
  const [state, setState] = useState<EventTypes>({ types: [], complete: false })
  useEffect(() => {
    let live = true
    let queued = false
    let listing: Promise<void> = Promise.resolve()
    const list = () => {
      if (queued) return
      queued = true
      listing = listing
        .then(async () => {
          queued = false
          const types = await listEventTypes(store)
          if (live) setState((before) => (sameTypes(before, types) ? before : { types, complete: true }))
        })
        .catch(() => {
          // A closed store lists nothing more; what was listed stays.
          if (live) setState((before) => (before.complete ? before : { ...before, complete: true }))
        })
    }
    list()
    const offCommit = store.onChange(list)
    const offChanges = changes?.subscribe(list)
    return () => {
      live = false
      offCommit()
      offChanges?.()
    }
  }, [store, changes])
  return state
}

function sameTypes(state: EventTypes, types: readonly string[]): boolean {
  return state.complete && state.types.length === types.length && state.types.every((type, i) => type === types[i])
}
