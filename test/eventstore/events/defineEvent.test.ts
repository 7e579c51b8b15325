import { describe, expect, it } from 'vitest'
import { defineEvent, InvalidEventDataError, type StandardSchemaV1 } from '../../../src/eventstore'
import { failure } from '../../support/failure'
import { openTestStore } from '../../support/stores'

/** A small Standard Schema implementation, as zod or valibot would provide. */
function quantitySchema(): StandardSchemaV1<unknown, { itemId: string; quantity: number }> {
  return {
    '~standard': {
      version: 1,
      vendor: 'test',
      validate(value) {
        const v = value as { itemId?: unknown; quantity?: unknown } | null
        const issues: { message: string; path: string[] }[] = []
        if (typeof v?.itemId !== 'string') issues.push({ message: 'must be a string', path: ['itemId'] })
        if (!Number.isInteger(v?.quantity) || (v?.quantity as number) < 1) issues.push({ message: 'must be a positive whole number', path: ['quantity'] })
        return issues.length ? { issues } : { value: { itemId: v!.itemId as string, quantity: v!.quantity as number } }
      },
    },
  }
}

const ItemAdded = defineEvent<{ itemId: string; quantity: number }, 'Cart.ItemAdded'>('Cart.ItemAdded')

describe('defineEvent', () => {
  it('makes new events with a UUID, the type, the data and the given metadata', () => {
    const event = ItemAdded({ itemId: 'p1', quantity: 2 }, { metadata: { source: 'ui' } })
    expect(event.eventId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(event).toMatchObject({ type: 'Cart.ItemAdded', data: { itemId: 'p1', quantity: 2 }, metadata: { source: 'ui' } })
    expect(ItemAdded({ itemId: 'p1', quantity: 1 }).eventId).not.toBe(event.eventId)
  })

  it('exposes its type and a type guard', async () => {
    const Other = defineEvent<{ x: number }>('Other')
    expect(ItemAdded.type).toBe('Cart.ItemAdded')
    const store = await openTestStore()
    const [recorded] = await store.append([ItemAdded({ itemId: 'p1', quantity: 1 })])
    expect(ItemAdded.is(recorded)).toBe(true)
    expect(Other.is(recorded)).toBe(false)
    expect(ItemAdded.is(undefined)).toBe(false)
    if (ItemAdded.is(recorded)) expect(recorded.data.quantity).toBe(1)
  })

  it('accepts a given event id', () => {
    expect(ItemAdded({ itemId: 'p', quantity: 1 }, { eventId: 'fixed' }).eventId).toBe('fixed')
  })

  it('checks data against a Standard Schema when the event is created', () => {
    const Checked = defineEvent('Cart.Checked', { schema: quantitySchema() })
    expect(Checked({ itemId: 'p1', quantity: 3 }).data).toEqual({ itemId: 'p1', quantity: 3 })
    let error: unknown
    try {
      Checked({ itemId: 7, quantity: 0 } as never)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(InvalidEventDataError)
    expect(error).toMatchObject({
      eventType: 'Cart.Checked',
      issues: ['itemId: must be a string', 'quantity: must be a positive whole number'],
    })
  })

  it('writes nothing when a schema rejects the data of one event in a batch', async () => {
    const Checked = defineEvent('Cart.Checked', { schema: quantitySchema() })
    const store = await openTestStore()
    const error = await failure(() =>
      store.append([Checked({ itemId: 'a', quantity: 1 }), Checked({ itemId: 'b', quantity: -1 })], { stream: 's' }),
    )
    expect(error).toBeInstanceOf(InvalidEventDataError)
    expect(await store.read.count()).toBe(0)
  })

  it('refuses a schema that validates asynchronously', () => {
    const asyncSchema: StandardSchemaV1 = {
      '~standard': { version: 1, vendor: 'test', validate: async (value) => ({ value }) },
    }
    const Slow = defineEvent('Slow', { schema: asyncSchema })
    expect(() => Slow({})).toThrow(InvalidEventDataError)
  })

  it('refuses an empty type', () => {
    expect(() => defineEvent('')).toThrow(InvalidEventDataError)
  })
})
