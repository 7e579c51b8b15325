/// <reference lib="webworker" />
// The projection worker: one per tab; the one holding the lock runs the deferred projections and,
// when its page is signed in, the sync engine.
import { openEventStore, startProjectionWorker } from '../eventstore'
import { deferredProjections } from '../projections'
import { syncOnLead } from '../sync'
import { shopDatabase, shopSync } from './shopSync'

startProjectionWorker({
  openStore: (database) => openEventStore({ name: database, readModels: shopDatabase }),
  projections: deferredProjections,
  onLead: syncOnLead({ definition: shopSync }),
})
