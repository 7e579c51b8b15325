import { describe, expect, it } from 'vitest'
import { AggregateRepository, type LoadReport } from '../../../src/eventstore'
import { failure } from '../../support/failure'
import { openTestStore } from '../../support/stores'
import { Added, SnapshottedTally, Tally } from '../../support/Tally'

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
    const stale = (await store.snapshots.get('Tally$s3'))!
    await store.deleteStream('Tally$s3')
    await store.append([Added({ amount: 3 })], { stream: 'Tally$s3' })
    // deleteStream drops the snapshot; one written past the store's checks (a database from before
    // they existed) must still not be restored over the new stream.
    await store.db.table('snapshots').put(stale)
    reports.length = 0
    const tally = await repository.load(SnapshottedTally, 's3')
    expect(tally.total).toBe(3)
    expect(tally.version).toBe(0)
    expect(reports[0]?.snapshotRejected).toBeDefined()
  })

  it('drops the snapshot with its stream: a stream deleted and refilled is never restored from the old one', async () => {
    const { store, repository, reports } = await setup()
    for (let i = 0; i < 10; i++) await repository.withAggregate(SnapshottedTally, 's6', (tally) => tally.add(100))
    expect(await store.snapshots.get('Tally$s6')).toMatchObject({ version: 9, state: { total: 1000 } })
    const tenth = (await store.read.stream('Tally$s6').last())!
    await store.deleteStream('Tally$s6')
    // Nine new events, then the old tenth back at position 9: the snapshot's version and event id match again.
    await store.append(Array.from({ length: 9 }, () => Added({ amount: 1 })), { stream: 'Tally$s6', expectedVersion: 'none' })
    await store.link([tenth.eventId], { stream: 'Tally$s6', expectedVersion: 8 })
    reports.length = 0
    const tally = await repository.load(SnapshottedTally, 's6')
    expect(tally.total).toBe(109)
    expect(tally.version).toBe(9)
    expect(reports).toEqual([{ stream: 'Tally$s6', snapshotAt: null, eventsReplayed: 10 }])
    expect(await store.snapshots.get('Tally$s6')).toBeUndefined()
  })

  it('drops the snapshot in the delete’s own transaction: a rolled-back delete keeps it, a committed one does not', async () => {
    const { store, repository } = await setup()
    await grow(repository, 's7', 10)
    const rolledBack = new Error('changed my mind')
    expect(
      await failure(() =>
        store.transaction(async (tx) => {
          await tx.deleteStream('Tally$s7')
          throw rolledBack
        }),
      ),
    ).toBe(rolledBack)
    expect(await store.snapshots.get('Tally$s7')).toMatchObject({ version: 9 })
    expect(await store.streamVersion('Tally$s7')).toBe(9)
    await store.transaction((tx) => tx.deleteStream('Tally$s7'))
    expect(await store.snapshots.get('Tally$s7')).toBeUndefined()
    expect(await store.streamVersion('Tally$s7')).toBe(-1)
  })

  it('falls back to a full replay when another event holds the snapshot’s position', async () => {
    const { store, repository, reports } = await setup()
    await grow(repository, 's8', 10)
    const stale = (await store.snapshots.get('Tally$s8'))!
    await store.deleteStream('Tally$s8')
    await store.append(Array.from({ length: 10 }, () => Added({ amount: 2 })), { stream: 'Tally$s8', expectedVersion: 'none' })
    // Written past the store's checks, as a database from before they existed may hold it.
    await store.db.table('snapshots').put(stale)
    reports.length = 0
    const tally = await repository.load(SnapshottedTally, 's8')
    expect(tally.total).toBe(20)
    expect(tally.version).toBe(9)
    expect(reports).toEqual([{ stream: 'Tally$s8', snapshotAt: null, eventsReplayed: 10, snapshotRejected: 'the stream no longer matches the snapshot' }])
  })

  it('does not keep a snapshot whose event is no longer at its position (a delete got in first)', async () => {
    const { store, repository } = await setup()
    await grow(repository, 's9', 10)
    const taken = (await store.snapshots.get('Tally$s9'))!
    await store.deleteStream('Tally$s9')
    await store.append([Added({ amount: 1 })], { stream: 'Tally$s9' })
    expect(await store.snapshots.put(taken)).toBe(false)
    expect(await store.snapshots.get('Tally$s9')).toBeUndefined()
    expect(await store.snapshots.put({ ...taken, version: 0, eventId: (await store.read.stream('Tally$s9').first())!.eventId })).toBe(true)
  })

  it('writes a snapshot taken inside store.transaction with it, and none when the transaction rolls back', async () => {
    const { store, repository } = await setup()
    await grow(repository, 's10', 9)
    const boom = new Error('rolled back')
    const rolledBack = store.transaction(async (tx) => {
      await repository.using(tx).withAggregate(SnapshottedTally, 's10', (tally) => tally.add(1))
      throw boom
    })
    expect(await failure(() => rolledBack)).toBe(boom)
    expect(await store.snapshots.get('Tally$s10')).toBeUndefined()
    await store.transaction((tx) => repository.using(tx).withAggregate(SnapshottedTally, 's10', (tally) => tally.add(1)))
    expect(await store.snapshots.get('Tally$s10')).toMatchObject({ version: 9, state: { total: 10 } })
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
