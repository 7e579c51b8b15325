/// <reference lib="webworker" />
// The projection worker: one per tab; the one holding the lock runs the deferred projections.
import { openEventStore, startProjectionWorker } from '../eventstore'
import { deferredProjections, shopReadModels } from '../projections'

startProjectionWorker({
  openStore: (database) => openEventStore({ name: database, readModels: shopReadModels }),
  projections: deferredProjections,
})
