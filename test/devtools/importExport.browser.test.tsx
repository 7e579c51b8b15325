import { afterEach, describe, expect, it, vi } from 'vitest'
import { exportNdjsonText, type EventStore } from '../../src/eventstore'
import { Counted, Noted } from '../support/events'
import { openTestStore } from '../support/stores'
import { button, click, field, find, pickFile, renderPanel, rowIds, text, waitFor } from './support'

afterEach(() => {
  vi.restoreAllMocks()
})

async function seeded(): Promise<EventStore> {
  const store = await openTestStore()
  await store.append([Noted({ text: 'a' }, { eventId: 'a', metadata: { placedAt: new Date('2024-03-01T12:00:00Z') } })], { stream: 'Cart$1' })
  await store.append([Noted({ text: 'b' }, { eventId: 'b' })], { stream: 'Cart$2' })
  await store.link(['a'], { stream: 'Cart$2' })
  await store.append([Counted({ n: 1 }, { eventId: 'c', metadata: { correlationId: 'a', causationId: 'a' } })])
  await store.link(['c'], { stream: 'Audit' })
  return store
}

/** Clicks Export and returns the NDJSON the download would have saved. */
async function exportThroughPanel(view: HTMLElement): Promise<string> {
  const createObjectURL = vi.spyOn(URL, 'createObjectURL').mockReturnValue('blob:kiroku-test')
  vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => undefined)
  const clicked = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => undefined)
  await click(button(view, 'Export NDJSON'))
  await waitFor(() => expect(text(view.querySelector('.kd-io__outcome'))).toMatch(/^Exported \d+ events?\.$/))
  expect(clicked).toHaveBeenCalledTimes(1)
  return (createObjectURL.mock.calls[0]?.[0] as Blob).text()
}

const everything = async (store: EventStore) => {
  const events = await store.read.toArray()
  return Promise.all(events.map(async ({ globalPosition: _, ...event }) => ({ ...event, streams: await store.streamsOf(event.eventId) })))
}

const ndjsonFile = (lines: string[], name = 'log.ndjson') => new File([lines.join('\n')], name, { type: 'application/x-ndjson' })

describe('devtools export and import', () => {
  it('round-trips the log: export from one store, import into another, same events, metadata and streams', async () => {
    const source = await seeded()
    const text1 = await exportThroughPanel(await renderPanel({ store: source }))
    expect(text1.trimEnd().split('\n')).toHaveLength(3)

    const target = await openTestStore()
    const view = await renderPanel({ store: target })
    await pickFile(field(view, 'Import NDJSON'), new File([text1], 'log.ndjson'))
    await waitFor(() => expect(text(view.querySelector('.kd-io__outcome'))).toBe('Imported 3 events in 3 streams from log.ndjson.'))
    await waitFor(() => expect(rowIds(view)).toEqual(['c', 'b', 'a']))
    expect(await everything(target)).toEqual(await everything(source))
    expect((await target.read.eventOrThrow('a')).metadata.placedAt).toEqual(new Date('2024-03-01T12:00:00Z'))
    expect(await target.read.stream('Cart$2').toArray().then((events) => events.map((e) => e.eventId))).toEqual(['b', 'a'])
  })

  it('rejects malformed, truncated and duplicate lines with their numbers, and writes nothing', async () => {
    const lines = (await exportThroughPanel(await renderPanel({ store: await seeded() }))).trimEnd().split('\n')
    const target = await openTestStore()
    await target.append([Noted({ text: 'already here' }, { eventId: 'c' })])
    const view = await renderPanel({ store: target })
    await waitFor(() => expect(rowIds(view)).toEqual(['c']))

    const file = ndjsonFile([lines[0] as string, '{"eventId": "x", oops}', lines[1] as string, lines[0] as string, lines[2] as string, (lines[1] as string).slice(0, 30)])
    await pickFile(field(view, 'Import NDJSON'), file)
    const alert = await waitFor(() => find(view, '[role="alert"]'))
    expect(text(alert.querySelector('p'))).toBe('log.ndjson was not imported: 4 problems. Nothing was written.')
    const problems = [...alert.querySelectorAll('li')].map((li) => text(li))
    expect(problems).toHaveLength(4)
    expect(problems[0]).toMatch(/^Line 2 is not valid JSON/)
    expect(problems[1]).toBe('Line 4 repeats event id "a" from line 1')
    expect(problems[2]).toBe('Line 5 holds event "c", which this store already has')
    expect(problems[3]).toMatch(/^Line 6 is not valid JSON/)
    expect(await target.read.count()).toBe(1)
    expect(await target.streamVersion('Cart$1')).toBe(-1)
    expect(rowIds(view)).toEqual(['c'])
  })

  it('reports a line missing required fields', async () => {
    const target = await openTestStore()
    const view = await renderPanel({ store: target })
    await pickFile(field(view, 'Import NDJSON'), ndjsonFile([JSON.stringify({ eventId: 'z', type: 'T', metadata: { correlationId: 'z' } })], 'partial.ndjson'))
    const alert = await waitFor(() => find(view, '[role="alert"]'))
    expect([...alert.querySelectorAll('li')].map((li) => text(li))).toEqual(['Line 1 has no "data"', 'Line 1 has no "metadata.timestamp" (an ISO date)'])
    expect(await target.read.count()).toBe(0)
  })
})

describe('devtools import, like an app', () => {
  it('is a button people see, over a file input that keeps the name "Import NDJSON" and takes the keyboard focus', async () => {
    const view = await renderPanel({ store: await openTestStore() })
    const input = field(view, 'Import NDJSON')
    const label = [...view.querySelectorAll('label')].find((l) => text(l) === 'Import NDJSON') as HTMLLabelElement
    expect(input.type).toBe('file')
    expect(label.classList).toContain('kd-button')
    expect(input.getBoundingClientRect().width).toBeLessThanOrEqual(1)
    expect(label.getBoundingClientRect().height).toBeGreaterThan(20)
    input.focus()
    expect(document.activeElement).toBe(input)
    expect(input.tabIndex).toBe(0)
  })

  it('shows a progress bar with counts while it checks a big file', async () => {
    const source = await openTestStore()
    await source.append(
      Array.from({ length: 2500 }, (_, i) => Noted({ text: `n${i}` }, { eventId: `big-${i}` })),
      { stream: 'Big' },
    )
    const file = new File([await exportNdjsonText(source)], 'big.ndjson')
    const view = await renderPanel({ store: await openTestStore() })
    const outcome = find(view, '.kd-io__outcome')
    const seen: string[] = []
    const bars: Array<{ value: number; max: number }> = []
    const observer = new MutationObserver(() => {
      seen.push(text(outcome))
      const bar = view.querySelector('progress')
      if (bar) bars.push({ value: bar.value, max: bar.max })
    })
    observer.observe(view, { subtree: true, childList: true, characterData: true, attributes: true })
    await pickFile(field(view, 'Import NDJSON'), file)
    await waitFor(() => expect(text(outcome)).toBe('Imported 2,500 events in 1 stream from big.ndjson.'))
    observer.disconnect()
    expect(seen.some((message) => /^Checking [\d,]+ of 2,500 lines…$/.test(message))).toBe(true)
    expect(bars.length).toBeGreaterThan(0)
    expect(bars.every((bar) => bar.value <= bar.max)).toBe(true)
    expect(view.querySelector('progress')).toBeNull()
  }, 30_000) // thousands of events: slow on a busy machine

  it('says there is nothing to do when the same export is imported again, and lists no problem', async () => {
    const store = await seeded()
    const view = await renderPanel({ store })
    const exported = await exportThroughPanel(view)
    await pickFile(field(view, 'Import NDJSON'), new File([exported], 'again.ndjson'))
    await waitFor(() =>
      expect(text(view.querySelector('.kd-io__outcome'))).toBe('Already imported: nothing to do. This store holds all 3 events of again.ndjson, as the file has them.'),
    )
    expect(view.querySelector('[role="alert"]')).toBeNull()
    expect(await store.read.count()).toBe(3)
  })
})
