import { describe, expect, it } from 'vitest'
import { countStreams, listStreams, membershipsOf, StoreClosedError, storedIds, streamVersions } from '../../../src/eventstore'
import { notes } from '../../support/events'
import { failure } from '../../support/failure'
import { openTestStore } from '../../support/stores'

describe('stream catalog', () => {
  it('lists every stream once, in name order, with its version', async () => {
    const store = await openTestStore()
    await store.append(notes(3, 'b'), { stream: 'Cart$b' })
    await store.append(notes(1, 'a'), { stream: 'Cart$a' })
    await store.append(notes(2, 'o'), { stream: 'Order$1' })
    await store.append(notes(1, 'x')) // the global log only: in no stream
    await store.link(['a1', 'o1'], { stream: 'Cart$b' })
    expect(await listStreams(store)).toEqual([
      { stream: 'Cart$a', version: 0 },
      { stream: 'Cart$b', version: 4 },
      { stream: 'Order$1', version: 1 },
    ])
    expect(await countStreams(store)).toBe(3)
  })

  it('pages with after and limit, and narrows by prefix', async () => {
    const store = await openTestStore()
    for (const name of ['A$1', 'A$2', 'A$3', 'B$1', 'C$1']) await store.append(notes(2, name), { stream: name })
    const first = await listStreams(store, { limit: 2 })
    expect(first.map((s) => s.stream)).toEqual(['A$1', 'A$2'])
    const second = await listStreams(store, { limit: 2, after: 'A$2' })
    expect(second.map((s) => s.stream)).toEqual(['A$3', 'B$1'])
    expect((await listStreams(store, { prefix: 'A$', after: 'A$1' })).map((s) => s.stream)).toEqual(['A$2', 'A$3'])
    expect((await listStreams(store, { prefix: 'B' })).map((s) => s.stream)).toEqual(['B$1'])
    expect(await listStreams(store, { prefix: 'Z' })).toEqual([])
  })

  it('forgets a deleted stream', async () => {
    const store = await openTestStore()
    await store.append(notes(1), { stream: 'gone' })
    await store.append(notes(1, 'k'), { stream: 'kept' })
    await store.deleteStream('gone')
    expect(await listStreams(store)).toEqual([{ stream: 'kept', version: 0 }])
  })

  it('gives many events’ streams and positions in join order, [] for unknown ids', async () => {
    const store = await openTestStore()
    await store.append(notes(2), { stream: 'z' })
    await store.link(['e2'], { stream: 'a' })
    const found = await membershipsOf(store, ['e2', 'e1', 'nope'])
    expect(found.get('e2')).toEqual([
      { stream: 'z', position: 1 },
      { stream: 'a', position: 0 },
    ])
    expect(found.get('e1')).toEqual([{ stream: 'z', position: 0 }])
    expect(found.get('nope')).toEqual([])
  })

  it('tells which ids are stored and each stream’s version', async () => {
    const store = await openTestStore()
    await store.append(notes(2), { stream: 's' })
    expect([...(await storedIds(store, ['e1', 'x', 'e2']))].sort()).toEqual(['e1', 'e2'])
    expect(await streamVersions(store, ['s', 'empty'])).toEqual(new Map([['s', 1], ['empty', -1]]))
  })

  it('fails with StoreClosedError on a closed store', async () => {
    const store = await openTestStore()
    store.close()
    expect(await failure(() => listStreams(store))).toBeInstanceOf(StoreClosedError)
  })
})
