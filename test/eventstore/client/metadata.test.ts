import { describe, expect, it } from 'vitest'
import { ids, notes, Noted } from '../../support/events'
import { failure } from '../../support/failure'
import { openTestStore } from '../../support/stores'

describe('metadata', () => {
  it('gives every event correlationId, timestamp and validAt; a batch shares the first event’s id as correlation', async () => {
    const at = new Date('2026-01-02T03:04:05Z')
    const store = await openTestStore({ clock: () => at })
    const recorded = await store.append(notes(3), { stream: 's' })
    for (const event of recorded) {
      expect(event.metadata).toEqual({ correlationId: 'e1', timestamp: at, validAt: at })
    }
    const read = await store.read.event('e2')
    expect(read?.metadata.timestamp).toBeInstanceOf(Date)
    expect(read?.metadata.timestamp.getTime()).toBe(at.getTime())
  })

  it('keeps an event’s own validAt and extra metadata', async () => {
    const store = await openTestStore()
    const validAt = new Date('2020-05-05T00:00:00Z')
    await store.append([Noted({ text: 'x' }, { eventId: 'v1', metadata: { validAt, source: 'ui' } })])
    const event = await store.read.eventOrThrow('v1')
    expect(event.metadata.validAt.toISOString()).toBe(validAt.toISOString())
    expect(event.metadata.source).toBe('ui')
    expect(event.metadata.timestamp.getTime()).not.toBe(validAt.getTime())
  })

  it('adds withMetadata’s metadata to events published through the scoped store', async () => {
    const store = await openTestStore()
    await store.withMetadata({ correlationId: 'corr-1', userId: 'u1' }, (scoped) =>
      scoped.append(notes(2), { stream: 's' }),
    )
    for (const event of await store.read.toArray()) {
      expect(event.metadata).toMatchObject({ correlationId: 'corr-1', userId: 'u1' })
    }
  })

  it('adds nothing to the root store called inside: only the scoped store carries the metadata', async () => {
    const store = await openTestStore()
    await store.withMetadata({ userId: 'u2' }, async (scoped) => {
      await scoped.append(notes(1, 'scoped'))
      await store.append(notes(1, 'root'))
    })
    expect((await store.read.eventOrThrow('scoped1')).metadata.userId).toBe('u2')
    expect((await store.read.eventOrThrow('root1')).metadata.userId).toBeUndefined()
  })

  it('lends nothing to unrelated work that runs while the scope awaits', async () => {
    const store = await openTestStore()
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    const alice = store.withMetadata({ userId: 'alice' }, async (scoped) => {
      await scoped.append(notes(1, 'alice-a'))
      await gate
      await scoped.append(notes(1, 'alice-b'))
    })
    // Alice's scope is open and waiting: Bob's append comes from elsewhere (a click, a timer).
    await store.append(notes(1, 'bob'))
    release()
    await alice
    expect((await store.read.eventOrThrow('bob1')).metadata.userId).toBeUndefined()
    expect((await store.read.eventOrThrow('alice-b1')).metadata.userId).toBe('alice')
  })

  it('does not leak after the scope ends', async () => {
    const store = await openTestStore()
    await store.withMetadata({ userId: 'u3' }, () => store.append(notes(1, 'in')))
    await store.append(notes(1, 'out'))
    expect((await store.read.eventOrThrow('out1')).metadata.userId).toBeUndefined()
  })

  it('ends the scope when the callback fails, and rejects with its error', async () => {
    const store = await openTestStore()
    const boom = new Error('boom')
    expect(await failure(() => store.withMetadata({ userId: 'u4' }, async () => Promise.reject(boom)))).toBe(boom)
    await store.append(notes(1))
    expect((await store.read.eventOrThrow('e1')).metadata.userId).toBeUndefined()
  })

  it('nests and merges, the inner value winning', async () => {
    const store = await openTestStore()
    await store.withMetadata({ tenant: 't1', userId: 'outer' }, (outer) =>
      outer.withMetadata({ userId: 'inner' }, (inner) => inner.append(notes(1))),
    )
    expect((await store.read.eventOrThrow('e1')).metadata).toMatchObject({ tenant: 't1', userId: 'inner' })
  })

  it('lets an event’s own metadata win over the scope’s', async () => {
    const store = await openTestStore()
    await store.withMetadata({ userId: 'scope', correlationId: 'scope-corr' }, (scoped) =>
      scoped.append([Noted({ text: 'x' }, { eventId: 'own', metadata: { userId: 'own', correlationId: 'own-corr' } })]),
    )
    expect((await store.read.eventOrThrow('own')).metadata).toMatchObject({ userId: 'own', correlationId: 'own-corr' })
  })

  it('keeps interleaved scopes apart when each uses its scoped store', async () => {
    const store = await openTestStore()
    const work = (user: string) =>
      store.withMetadata({ userId: user }, async (scoped) => {
        for (let i = 0; i < 3; i++) await scoped.append(notes(1, `${user}-${i}-`))
      })
    await Promise.all([work('ann'), work('bob')])
    const events = await store.read.toArray()
    expect(events).toHaveLength(6)
    for (const event of events) expect(event.eventId.startsWith(String(event.metadata.userId))).toBe(true)
  })

  it('returns what the callback returns', async () => {
    const store = await openTestStore()
    expect(await store.withMetadata({ a: 1 }, async () => 42)).toBe(42)
  })

  it('records the events with the same ids the caller gave', async () => {
    const store = await openTestStore()
    await store.append(notes(2, 'given-'))
    expect(ids(await store.read.toArray())).toEqual(['given-1', 'given-2'])
  })
})
