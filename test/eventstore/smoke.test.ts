import { describe, expect, it } from 'vitest'
import { openTestStore } from '../support/stores'
import { ids, notes } from '../support/events'

describe('smoke', () => {
  it('appends and reads back', async () => {
    const store = await openTestStore()
    await store.append(notes(3), { stream: 's', expectedVersion: 'none' })
    expect(ids(await store.read.stream('s').toArray())).toEqual(['e1', 'e2', 'e3'])
    expect(ids(await store.read.backward().toArray())).toEqual(['e3', 'e2', 'e1'])
    expect(await store.streamVersion('s')).toBe(2)
  })
})
