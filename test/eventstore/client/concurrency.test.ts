import { describe, expect, it } from 'vitest'
import { WrongExpectedVersionError, type EventStore } from '../../../src/eventstore'
import { notes } from '../../support/events'
import { openTestStore, uniqueName } from '../../support/stores'

/** Several connections to one database, as several tabs would have. */
async function connections(count: number): Promise<EventStore[]> {
  const name = uniqueName('kiroku-concurrency')
  const stores: EventStore[] = []
  for (let i = 0; i < count; i++) stores.push(await openTestStore({ name }))
  return stores
}

describe('several connections to one database', () => {
  it('append with "auto" from 4 connections at once: positions 0…n-1, no gap, nothing lost', async () => {
    const stores = await connections(4)
    const rounds = 10
    await Promise.all(
      stores.flatMap((store, c) =>
        Array.from({ length: rounds }, (_, r) =>
          store.append(notes(2, `c${c}-r${r}-`), { stream: 'shared', expectedVersion: 'auto' }),
        ),
      ),
    )
    const reader = stores[0]!
    const events = await reader.read.stream('shared').toArray()
    expect(events).toHaveLength(4 * rounds * 2)
    expect(new Set(events.map((e) => e.eventId)).size).toBe(events.length)
    const positions = await Promise.all(events.map((e) => reader.positionInStream(e.eventId, 'shared')))
    expect(positions).toEqual(events.map((_, i) => i))
    expect(await reader.streamVersion('shared')).toBe(events.length - 1)
    // A batch stays together: each connection's pair is adjacent and in order.
    for (let i = 0; i < events.length; i += 2) {
      expect(events[i + 1]!.eventId).toBe(events[i]!.eventId.replace(/1$/, '2'))
    }
  })

  it('with one exact expected version, exactly one connection wins', async () => {
    const stores = await connections(5)
    await stores[0]!.append(notes(3), { stream: 'race' })
    const results = await Promise.allSettled(
      stores.map((store, c) => store.append(notes(1, `winner-${c}-`), { stream: 'race', expectedVersion: 2 })),
    )
    const won = results.filter((r) => r.status === 'fulfilled')
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')
    expect(won).toHaveLength(1)
    expect(lost).toHaveLength(4)
    for (const r of lost) {
      expect(r.reason).toBeInstanceOf(WrongExpectedVersionError)
      expect(r.reason).toMatchObject({ stream: 'race', expected: 2, actual: 3 })
    }
    expect(await stores[1]!.read.stream('race').count()).toBe(4)
  })

  it('with "none", exactly one connection creates the stream', async () => {
    const stores = await connections(4)
    const results = await Promise.allSettled(
      stores.map((store, c) => store.append(notes(2, `first-${c}-`), { stream: 'new', expectedVersion: 'none' })),
    )
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    expect(await stores[2]!.streamVersion('new')).toBe(1)
    expect(await stores[2]!.read.count()).toBe(2)
  })

  it('gives every event a distinct global position, growing in the order each connection committed', async () => {
    const stores = await connections(4)
    const recorded = await Promise.all(stores.map((store, c) => store.append(notes(5, `g${c}-`))))
    for (const batch of recorded) {
      const positions = batch.map((e) => e.globalPosition)
      expect(positions).toEqual([...positions].sort((a, b) => a - b))
    }
    const all = await stores[3]!.read.toArray()
    expect(all).toHaveLength(20)
    expect(new Set(all.map((e) => e.globalPosition)).size).toBe(20)
  })

  it('sees from one connection what another committed', async () => {
    const [a, b] = await connections(2)
    await a!.append(notes(1), { stream: 's' })
    expect(await b!.streamVersion('s')).toBe(0)
    await b!.append(notes(1, 'x'), { stream: 's', expectedVersion: 0 })
    expect(await a!.read.stream('s').count()).toBe(2)
  })
})
