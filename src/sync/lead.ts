// Sync in the projection worker: the leading worker runs the engine for its database (the one
// worker per browser that talks to the server) and tells every tab on the sync channel.
import type { LeadHook } from '../eventstore'
import type { SyncDefinition } from './definition'
import { eventSourceLive } from './live'
import { syncChannelName, type SyncMessage } from './status'
import { SyncEngine, type LiveChannel } from './SyncEngine'
import { httpTransport, type SyncTransport } from './transport'

/** What a page gives its worker (ProjectionWorkerClient's `workerOptions`) to have it sync. */
export interface SyncWorkerOptions {
  sync?: { userId: string }
}

export interface SyncLeadOptions {
  definition: SyncDefinition
  transport?: SyncTransport
  live?: LiveChannel
}

/**
 * The projection worker's `onLead` for sync: while this worker leads and its page asked for sync
 * (signed in), the engine runs. Every tab hears what it pulled through its own store; a rebase
 * that took events out of the log rebuilds the deferred projections.
 */
export function syncOnLead(options: SyncLeadOptions): LeadHook {
  return (lead) => {
    const settings = lead.options as SyncWorkerOptions | undefined
    if (!settings?.sync) return
    const channel = new BroadcastChannel(syncChannelName(lead.database))
    const post = (message: SyncMessage) => channel.postMessage(message)
    const engine = new SyncEngine({
      store: lead.store,
      definition: options.definition,
      transport: options.transport ?? httpTransport(),
      live: options.live ?? eventSourceLive(),
      onStatus: (status) => post({ type: 'sync-status', status }),
      // What the engine wrote reaches every tab's store by itself (each store announces its
      // commits on the database's channel); sync-changed tells what only sync knows.
      onChanged: ({ streams, rewritten }) => {
        if (rewritten) void lead.rebuildProjections()
        post({ type: 'sync-changed', streams, rewritten })
      },
    })
    channel.onmessage = (event: MessageEvent<SyncMessage>) => {
      if (event.data.type === 'sync-status-request') post({ type: 'sync-status', status: engine.status })
      else if (event.data.type === 'sync-now') engine.syncNow()
    }
    engine.start()
    return () => {
      engine.stop()
      channel.close()
    }
  }
}
