import { describe, expect, it } from 'vitest'
import type { EventStore } from '../../src/eventstore'
import { Flagged, Noted } from '../support/events'
import { openTestStore } from '../support/stores'
import { change, field, renderPanel, rowIds, text, waitFor } from './support'

const TOTAL = 100_000
const EVERY = 10_000

/** 100,000 events in four big appends; every 10,000th is a Test.Flagged, the rest Test.Noted. */
async function seedBigLog(store: EventStore): Promise<void> {
  const batch = TOTAL / 4
  for (let start = 1; start <= TOTAL; start += batch) {
    const events = Array.from({ length: batch }, (_, k) => {
      const i = start + k
      return i % EVERY === 0 ? Flagged({ flag: true }, { eventId: `rare-${i}` }) : Noted({ text: `note ${i}` }, { eventId: `n${i}` })
    })
    await store.append(events)
  }
}

describe('devtools on a log of 100,000 events', () => {
  it('shows the newest rows first, keeps only a window of them in the DOM, and filters by type', { timeout: 180_000 }, async () => {
    const store = await openTestStore()
    await seedBigLog(store)
    expect(await store.read.count()).toBe(TOTAL)

    const view = await renderPanel({ store })
    await waitFor(() => expect(rowIds(view).slice(0, 4)).toEqual(['rare-100000', 'n99999', 'n99998', 'n99997']), 30_000)
    expect(text(view.querySelector('.kd-timeline__status'))).toBe('100 events loaded; scroll for older ones.')
    // Virtualised: a screenful and a few more rows exist, not a page, let alone the log.
    expect(rowIds(view).length).toBeLessThan(60)

    const type = field<HTMLSelectElement>(view, 'Event type')
    await waitFor(() => expect([...type.options].map((o) => o.value)).toEqual(['', 'Test.Flagged', 'Test.Noted']), 60_000)
    await change(type, 'Test.Flagged')
    const expected = Array.from({ length: TOTAL / EVERY }, (_, k) => `rare-${TOTAL - k * EVERY}`)
    await waitFor(() => expect(rowIds(view)).toEqual(expected), 60_000)
    await waitFor(() => expect(text(view.querySelector('.kd-timeline__status'))).toBe('10 events match.'))
  })
})
