/// <reference lib="webworker" />
// The projection worker: one per tab; the one holding the lock runs the deferred projections.
import { openEventStore } from '../eventstore'
import { deferredProjections, shopReadModels } from '../projections'
import { ProjectionHost } from '../eventstore/worker/ProjectionHost'
import type { PageMessage, WorkerMessage } from '../eventstore/worker/protocol'

const scope = self as unknown as DedicatedWorkerGlobalScope

const host = new ProjectionHost({
  openStore: (database) => openEventStore({ name: database, readModels: shopReadModels }),
  projections: deferredProjections,
  locks: navigator.locks,
  openChannel: (name) => new BroadcastChannel(name),
  post: (message: WorkerMessage) => scope.postMessage(message),
})

scope.onmessage = (event: MessageEvent<PageMessage>) => void host.handle(event.data)
