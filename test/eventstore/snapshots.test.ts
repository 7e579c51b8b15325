import { describe, expect, it } from 'vitest'
import { AggregateRepository, type LoadReport } from '../../src/eventstore'
import { openTestStore } from '../support/stores'
import { Added, SnapshottedTally, Tally } from '../support/Tally'

async function setup() {
  const store = await openTestStore()
  const reports: LoadReport[] = []
  const repository = new AggregateRepository(store, { onLoad: (r) => void reports.push(r) })
  return { store, repository, reports }
}

/** Adds `count` amounts of 1 through the repository, `perCommand` at a time, snapshotting as it goes. */
async function grow(repository: AggregateRepository, id: string, count: number, perCommand = 1) {
  for (let done = 0; done < count; done += perCommand) {
    await repository.withAggregate(SnapshottedTally, id, (tally) => {
      for (let i = 0; i < perCommand; i++) tally.add(1)
    })
  }
}

describe('snapshots', () => {
  it('writes a snapshot every N events and loads from it, replaying only what came after', async () => {
    const { store, repository, reports } = await setup()
    await grow(repository, 's1', 23)
    const snapshot = await store.snapshots.get('Tally$s1')
    expect(snapshot).toMatchObject({ stream: 'Tally$s1', version: 19, schemaVersion: 1, state: { total: 20, count: 20 } })
    reports.length = 0
    const tally = await repository.load(SnapshottedTally, 's1')
    expect(tally.total).toBe(23)
    expect(tally.version).toBe(22)
    expect(reports).toEqual([{ stream: 'Tally$s1', snapshotAt: 19, eventsReplayed: 3 }])
  })

  it('reads far fewer events for a long stream with a snapshot than without', async () => {
    const { store, repository, reports } = await setup()
    // 1,000 events in commands of 100: a snapshot is taken whenever a command crosses a multiple of 10.
    await grow(repository, 'long', 1000, 100)
    await store.append([Added({ amount: 5 }), Added({ amount: 5 })], { stream: 'Tally$long', expectedVersion: 999 })
    reports.length = 0
    const withSnapshot = await repository.load(SnapshottedTally, 'long')
    const withoutSnapshot = await repository.load(Tally, 'long')
    expect(withSnapshot.total).toBe(1010)
    expect(withoutSnapshot.total).toBe(1010)
    expect(withSnapshot.version).toBe(withoutSnapshot.version)
    expect(reports.map((r) => r.eventsReplayed)).toEqual([2, 1002])
  })

  it('falls back to a full replay, and says why, when the snapshot shape changed', async () => {
    const { repository, reports } = await setup()
    await grow(repository, 's2', 12)
    class ReshapedTally extends SnapshottedTally {
      static override snapshotVersion = 2
    }
    reports.length = 0
    const tally = await repository.load(ReshapedTally, 's2')
    expect(tally.total).toBe(12)
    expect(reports[0]).toMatchObject({ snapshotAt: null, eventsReplayed: 12 })
    expect(reports[0]?.snapshotRejected).toContain('shape 1')
  })

  it('falls back to a full replay when the snapshot no longer matches its stream', async () => {
    const { store, repository, reports } = await setup()
    await grow(repository, 's3', 10)
    await store.deleteStream('Tally$s3')
    await store.append([Added({ amount: 3 })], { stream: 'Tally$s3' })
    reports.length = 0
    const tally = await repository.load(SnapshottedTally, 's3')
    expect(tally.total).toBe(3)
    expect(tally.version).toBe(0)
    expect(reports[0]?.snapshotRejected).toBeDefined()
  })

  it('falls back to a full replay when restoring the snapshot fails (corrupt state)', async () => {
    const { store, repository, reports } = await setup()
    await grow(repository, 's4', 10)
    const snapshot = (await store.snapshots.get('Tally$s4'))!
    await store.snapshots.put({ ...snapshot, state: 'not a state' })
    class CheckingTally extends SnapshottedTally {
      override restoreState(state: unknown): void {
        if (typeof state !== 'object' || state === null || typeof (state as { total?: unknown }).total !== 'number') {
          throw new Error('snapshot state is not a tally')
        }
        super.restoreState(state)
      }
    }
    reports.length = 0
    const tally = await repository.load(CheckingTally, 's4')
    expect(tally.total).toBe(10)
    expect(reports[0]).toMatchObject({ snapshotAt: null, eventsReplayed: 10, snapshotRejected: 'snapshot state is not a tally' })
  })

  it('takes no snapshot for an aggregate that does not ask for them', async () => {
    const { store, repository } = await setup()
    for (let i = 0; i < 12; i++) await repository.withAggregate(Tally, 'plain', (t) => t.add(1))
    expect(await store.snapshots.get('Tally$plain')).toBeUndefined()
  })
})
