/// <reference lib="webworker" />
// Another connection to the page's database, in a real Worker: it writes as the sync engine does in
// the projection worker (a pulled page in one transaction, or a rebase), then says so (test only).
import { openEventStore } from '../../../src/eventstore'
import { Counted } from '../../support/events'

export type WriterMessage = { database: string; write: 'pull' | 'rebase' }

self.onmessage = async ({ data }: MessageEvent<WriterMessage>) => {
  const store = await openEventStore({ name: data.database })
  if (data.write === 'pull') {
    await store.transaction(async (tx) => {
      await tx.append([Counted({ n: 2 }, { eventId: 'pulled-1' }), Counted({ n: 3 }, { eventId: 'pulled-2' })], { stream: 'Tally$remote', expectedVersion: -1 })
      await tx.link(['pulled-2'], { stream: 'Picked', expectedVersion: 'none' })
    })
  } else {
    await store.transaction(async (tx) => {
      await tx.truncateStream('Tally$mine', 0)
      await tx.append(Counted({ n: 5 }, { eventId: 'confirmed' }), { stream: 'Tally$mine', expectedVersion: 0 })
    })
  }
  store.close()
  self.postMessage('written')
}
