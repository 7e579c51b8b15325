// The devtools' import as a restore: what the panel shows once a backup is in, and what it says
// when the store has begun streams of its own that the backup also starts.
import { describe, expect, it } from 'vitest'
import { exportNdjsonText } from '../../src/eventstore'
import { Noted } from '../support/events'
import { openTestStore, uniqueName } from '../support/stores'
import { field, find, pickFile, renderPanel, rowIds, text, waitFor } from './support'

const backupOf = async (eventIds: string[]) => {
  const store = await openTestStore()
  await store.append(eventIds.map((eventId) => Noted({ text: eventId }, { eventId })), { stream: 'Notes$n1' })
  return new File([await exportNdjsonText(store)], 'backup.ndjson', { type: 'application/x-ndjson' })
}

describe('restoring a backup from the devtools', () => {
  it('shows the restored events in this tab’s panel and in another tab’s, with no change feed given', async () => {
    const name = uniqueName()
    const [here, otherTab] = [await openTestStore({ name }), await openTestStore({ name })]
    const view = await renderPanel({ store: here })
    const other = await renderPanel({ store: otherTab })
    await pickFile(field(view, 'Import NDJSON'), await backupOf(['b1', 'b2']))
    await waitFor(() => expect(text(find(view, '.kd-io__outcome'))).toBe('Imported 2 events in 1 stream from backup.ndjson.'))
    await waitFor(() => expect(rowIds(view)).toEqual(['b2', 'b1']))
    await waitFor(() => expect(rowIds(other)).toEqual(['b2', 'b1']))
  })

  it('says why a store that began the backup’s streams itself refuses it', async () => {
    const store = await openTestStore()
    await store.append(Noted({ text: 'written here first' }, { eventId: 'own' }), { stream: 'Notes$n1' })
    const view = await renderPanel({ store })
    await pickFile(field(view, 'Import NDJSON'), await backupOf(['b1']))
    const alert = await waitFor(() => find(view, '[role="alert"]'))
    expect(text(alert.querySelector('p'))).toBe(
      'backup.ndjson was not imported: 1 problem. Nothing was written. This store already holds events of its own in the streams the file starts: a backup restores into a store that holds none of them, such as a fresh install (a new browser profile) where nothing was done yet.',
    )
    expect([...alert.querySelectorAll('li')].map((li) => text(li))).toEqual(['Line 1 puts an event at position 0 of stream "Notes$n1", which already holds positions 0–0 here'])
    expect(await store.read.count()).toBe(1)
  })
})
