// How the kit compares read models: as values, with no order where the data has none.
import { describe, expect, it } from 'vitest'
import { differenceOf } from '../../../src/sync/testing'

describe('differenceOf', () => {
  it('finds no difference in key order, Map and Set order, equal Dates, or a key holding undefined', () => {
    expect(differenceOf({ a: 1, b: [1, 2], c: undefined }, { b: [1, 2], a: 1 })).toBeUndefined()
    expect(differenceOf(new Map([['x', 1], ['y', 2]]), new Map([['y', 2], ['x', 1]]))).toBeUndefined()
    expect(differenceOf(new Set([{ id: 1 }, { id: 2 }]), new Set([{ id: 2 }, { id: 1 }]))).toBeUndefined()
    expect(differenceOf(new Date(5), new Date(5))).toBeUndefined()
  })

  it('names where two values first differ, the first value’s side first', () => {
    expect(differenceOf({ columns: { doing: ['c1', 'c2'] } }, { columns: { doing: ['c1', 'c3'] } })).toBe('columns.doing[1] "c2", not "c3"')
    expect(differenceOf([1, 2, 3], [1, 2])).toBe('has 3 items, not 2')
    expect(differenceOf(new Map([['x', 1]]), new Map([['y', 1]]))).toBe('has no key "y"')
    expect(differenceOf({ cards: new Set(['a']) }, { cards: new Set(['b']) })).toBe('cards holds "a", which is not expected')
    expect(differenceOf({ at: new Date(0) }, { at: '1970-01-01T00:00:00.000Z' })).toBe('at 1970-01-01T00:00:00.000Z, not "1970-01-01T00:00:00.000Z"')
  })
})
