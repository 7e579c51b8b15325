/// <reference lib="webworker" />
// The shop's projection worker with one more projection, which counts its applies (test only).
import { openEventStore, type PageMessage, ProjectionHost, type WorkerMessage } from '../../src/eventstore'
import { deferredProjections } from '../../src/projections'
import { appliesProjection, countingReadModels } from './appliesProjection'

const scope = self as unknown as DedicatedWorkerGlobalScope

const host = new ProjectionHost({
  openStore: (database) => openEventStore({ name: database, readModels: countingReadModels }),
  projections: [...deferredProjections, appliesProjection],
  locks: navigator.locks,
  openChannel: (name) => new BroadcastChannel(name),
  post: (message: WorkerMessage) => scope.postMessage(message),
})

scope.onmessage = (event: MessageEvent<PageMessage>) => void host.handle(event.data)
