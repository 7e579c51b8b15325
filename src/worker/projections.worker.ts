/// <reference lib="webworker" />
// The projection worker: one per tab; the one holding the lock runs the deferred projections.
import { openEventStore, type PageMessage, ProjectionHost, type WorkerMessage } from '../eventstore'
import { deferredProjections, shopReadModels } from '../projections'

const scope = self as unknown as DedicatedWorkerGlobalScope

const host = new ProjectionHost({
  openStore: (database) => openEventStore({ name: database, readModels: shopReadModels }),
  projections: deferredProjections,
  locks: navigator.locks,
  openChannel: (name) => new BroadcastChannel(name),
  post: (message: WorkerMessage) => scope.postMessage(message),
})

scope.onmessage = (event: MessageEvent<PageMessage>) => void host.handle(event.data)
