import { describe, expect, it } from 'vitest'
import { InvalidExpectedVersionError, StreamTruncationError } from '../../../src/eventstore'
import { ids, notes } from '../../support/events'
import { failure } from '../../support/failure'
import { openTestStore } from '../../support/stores'

describe('truncateStream', () => {
  it('takes the tail out of the log and the stream, returns it in order, and leaves the rest', async () => {
    const store = await openTestStore()
    await store.append(notes(2, 'a'), { stream: 'a' })
    await store.append(notes(4, 'b'), { stream: 'b' })
    const removed = await store.truncateStream('b', 1)
    expect(ids(removed)).toEqual(['b3', 'b4'])
    expect(await store.streamVersion('b')).toBe(1)
    expect(ids(await store.read.stream('b').toArray())).toEqual(['b1', 'b2'])
    expect(ids(await store.read.toArray())).toEqual(['a1', 'a2', 'b1', 'b2'])
    expect(await store.read.event('b3')).toBeUndefined()
    // The ids are free again: the same events can be appended after other ones.
    await store.append(notes(1, 'c'), { stream: 'b', expectedVersion: 1 })
    await store.append(removed.map(({ eventId, type, data }) => ({ eventId, type, data, metadata: {} })), { stream: 'b', expectedVersion: 2 })
    expect(ids(await store.read.stream('b').toArray())).toEqual(['b1', 'b2', 'c1', 'b3', 'b4'])
  })

  it('drops the stream’s snapshot, and does nothing past the end', async () => {
    const store = await openTestStore()
    await store.append(notes(3), { stream: 's' })
    expect(await store.saveSnapshot({ stream: 's', version: 2, eventId: 'e3', state: { n: 3 }, schemaVersion: 1 } as never)).toBe(true)
    expect(await store.truncateStream('s', 2)).toEqual([])
    expect(await store.snapshots.get('s')).toBeDefined()
    await store.truncateStream('s', 0)
    expect(await store.snapshots.get('s')).toBeUndefined()
  })

  it('refuses an event linked into another stream, and a bad position, removing nothing', async () => {
    const store = await openTestStore()
    await store.append(notes(2), { stream: 's' })
    await store.link(['e2'], { stream: 'other' })
    expect(await failure(() => store.truncateStream('s', 0))).toBeInstanceOf(StreamTruncationError)
    expect(await failure(() => store.truncateStream('s', 0.5))).toBeInstanceOf(InvalidExpectedVersionError)
    expect(ids(await store.read.stream('s').toArray())).toEqual(['e1', 'e2'])
  })

  it('rolls back with the transaction it is part of', async () => {
    const store = await openTestStore()
    await store.append(notes(2), { stream: 's' })
    const failed = await failure(() =>
      store.transaction(async (tx) => {
        await tx.truncateStream('s', -1)
        throw new Error('changed my mind')
      }),
    )
    expect(failed).toBeInstanceOf(Error)
    expect(ids(await store.read.stream('s').toArray())).toEqual(['e1', 'e2'])
  })
})
