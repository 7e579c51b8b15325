import { describe, expect, it } from 'vitest'
import { Noted } from '../support/events'
import { openTestStore } from '../support/stores'
import { Added, Closed, Forgotten, Tally } from '../support/Tally'
import { button, change, click, field, renderPanel, row, section, text, waitFor } from './support'

const changesOf = (view: HTMLElement) =>
  [...view.querySelectorAll('[aria-label="Changes from the previous event"] li')].map((li) => text(li))

const selectedType = (view: HTMLElement) => view.querySelector('.kd-detail h3')?.textContent

describe('devtools time travel', () => {
  async function tallyStore() {
    const store = await openTestStore()
    await store.append(
      [Added({ amount: 5 }, { eventId: 't0' }), Added({ amount: 7 }, { eventId: 't1' }), Closed({ reason: 'done' }, { eventId: 't2' })],
      { stream: 'Tally$t1' },
    )
    await store.append([Noted({ text: 'elsewhere' }, { eventId: 'n' })], { stream: 'Notes' })
    return store
  }

  it('shows the aggregate’s state as of the picked event and what that event changed', async () => {
    const store = await tallyStore()
    const view = await renderPanel({ store, aggregates: [Tally] })
    await waitFor(() => row(view, 't1'))
    await click(row(view, 't1'))
    const travel = await waitFor(() => section(view, 'Time travel: Tally$t1 after position 1'))
    await waitFor(() => expect(text(travel.querySelector('[aria-label="State of Tally$t1 after position 1"]'))).toBe('{3 keys} total: 12 count: 2 closed: false'))
    expect(changesOf(view)).toEqual(['total 5 → 12', 'count 1 → 2'])
  })

  it('steps through the stream with next, previous and the position slider', async () => {
    const store = await tallyStore()
    const view = await renderPanel({ store, aggregates: [Tally] })
    await waitFor(() => row(view, 't1'))
    await click(row(view, 't1'))
    await waitFor(() => expect(changesOf(view)).toEqual(['total 5 → 12', 'count 1 → 2']))

    await click(button(view, 'Next event'))
    await waitFor(() => expect(selectedType(view)).toBe('Tally.Closed'))
    await waitFor(() => expect(changesOf(view)).toEqual(['closed false → true']))
    expect(button(view, 'Next event').disabled).toBe(true)

    await change(field(view, 'Position in Tally$t1'), '0')
    await waitFor(() => expect(view.querySelector('.kd-detail code')?.textContent).toBe('t0'))
    await waitFor(() => expect(changesOf(view)).toEqual(['total 0 → 5', 'count 0 → 1']))
    expect(button(view, 'Previous event').disabled).toBe(true)
  })

  it('offers no time travel for streams of no known aggregate, and says so when a replay fails', async () => {
    const store = await tallyStore()
    await store.append([Forgotten({}, { eventId: 'odd' })], { stream: 'Tally$t1' })
    const view = await renderPanel({ store, aggregates: [Tally] })
    await waitFor(() => row(view, 'n'))
    await click(row(view, 'n'))
    await waitFor(() => expect(text(section(view, 'Streams'))).toBe('Streams Notes at position 0'))
    expect(view.querySelector('.kd-travel')).toBeNull()

    await click(row(view, 'odd'))
    await waitFor(() => expect(text(view.querySelector('.kd-travel .kd-error'))).toMatch(/^The stream could not be replayed: Aggregate Tally has no handler for Tally.Forgotten/))
  })
})
