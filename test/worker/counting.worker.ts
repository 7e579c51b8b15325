/// <reference lib="webworker" />
// The shop's projection worker with one more projection, which counts its applies (test only).
import { openEventStore, startProjectionWorker } from '../../src/eventstore'
import { deferredProjections } from '../../src/projections'
import { appliesProjection, countingReadModels } from './appliesProjection'

startProjectionWorker({
  openStore: (database) => openEventStore({ name: database, readModels: countingReadModels }),
  projections: [...deferredProjections, appliesProjection],
})
