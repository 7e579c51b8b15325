import { defineProjection } from '../../src/eventstore'
import { OrderPlaced } from '../../src/domain'
import { shopReadModels } from '../../src/projections'

export const APPLIES = 'applies'

/** The shop's read models plus one table that counts applies. */
export const countingReadModels = { version: shopReadModels.version, stores: { ...shopReadModels.stores, [APPLIES]: 'eventId' } }

/**
 * Counts how many times each OrderPlaced was applied: it reads the counts and writes them back
 * plus one, so unlike the shop's projections (a put by order id) an event applied twice shows as 2.
 */
export const appliesProjection = defineProjection({
  name: APPLIES,
  events: [OrderPlaced],
  tables: [APPLIES],
  async applyBatch(events, { table }) {
    const rows = await table<{ eventId: string; times: number }>(APPLIES).bulkGet(events.map((event) => event.eventId))
    await table(APPLIES).bulkPut(events.map((event, i) => ({ eventId: event.eventId, times: (rows[i]?.times ?? 0) + 1 })))
  },
})
