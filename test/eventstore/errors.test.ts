import { describe, expect, it } from 'vitest'
import {
  EventDuplicatedInStreamError,
  EventNotFoundError,
  EventNotFoundInStreamError,
  EventStoreError,
  IncorrectStreamDataError,
  InvalidEventDataError,
  InvalidExpectedVersionError,
  InvalidPageSizeError,
  StorageError,
  StorageQuotaExceededError,
  StoreClosedError,
  TransactionExpiredError,
  WrongExpectedVersionError,
  reviveError,
} from '../../src/eventstore'
import { notes } from '../support/events'
import { failure } from '../support/failure'
import { openTestStore } from '../support/stores'

const samples: Array<[string, EventStoreError, Record<string, unknown>]> = [
  ['WrongExpectedVersionError', new WrongExpectedVersionError('Cart$1', 3, 5), { stream: 'Cart$1', expected: 3, actual: 5 }],
  ['InvalidExpectedVersionError', new InvalidExpectedVersionError('maybe'), { expected: 'maybe' }],
  ['EventDuplicatedInStreamError', new EventDuplicatedInStreamError('e1', 's'), { eventId: 'e1', stream: 's' }],
  ['EventNotFoundError', new EventNotFoundError('e9'), { eventId: 'e9' }],
  ['EventNotFoundInStreamError', new EventNotFoundInStreamError('e1', 's'), { eventId: 'e1', stream: 's' }],
  ['IncorrectStreamDataError', new IncorrectStreamDataError(''), { stream: '' }],
  ['InvalidPageSizeError', new InvalidPageSizeError(0), { limit: 0 }],
  ['InvalidEventDataError', new InvalidEventDataError('T', 'bad', ['x: required']), { eventType: 'T', reason: 'bad', issues: ['x: required'] }],
  ['TransactionExpiredError', new TransactionExpiredError(), {}],
  ['StoreClosedError', new StoreClosedError(), {}],
  ['StorageQuotaExceededError', new StorageQuotaExceededError(), {}],
  ['StorageError', new StorageError('UnknownError', 'disk on fire'), { storageErrorName: 'UnknownError' }],
]

describe('errors', () => {
  it.each(samples)('%s has a stable name, is an EventStoreError and survives structured clone', (name, error, fields) => {
    expect(error.name).toBe(name)
    expect(error).toBeInstanceOf(EventStoreError)
    expect(error).toBeInstanceOf(Error)
    expect(error.fields).toEqual(fields)
    const revived = reviveError(structuredClone(error.toJSON()))
    expect(revived.constructor).toBe(error.constructor)
    expect(revived.name).toBe(name)
    expect(revived.message).toBe(error.message)
    expect(revived.fields).toEqual(fields)
  })

  it('keeps an unknown error name when reviving', () => {
    const revived = reviveError({ name: 'Shop.OutOfStock', message: 'sold out', fields: { itemId: 'p1' } })
    expect(revived).toBeInstanceOf(EventStoreError)
    expect(revived.name).toBe('Shop.OutOfStock')
    expect(revived.fields).toEqual({ itemId: 'p1' })
  })

  it('says what was kept: a wrong version names the stream and both versions', () => {
    const message = new WrongExpectedVersionError('Cart$1', 3, 5).message
    expect(message).toContain('Cart$1')
    expect(message).toContain('5')
    expect(message).toContain('Nothing was written')
  })

  it('fails every call on a closed store with StoreClosedError', async () => {
    const store = await openTestStore()
    await store.append(notes(1))
    store.close()
    expect(await failure(() => store.append(notes(1, 'x')))).toBeInstanceOf(StoreClosedError)
    expect(await failure(() => store.read.toArray())).toBeInstanceOf(StoreClosedError)
    expect(await failure(() => store.streamVersion('s'))).toBeInstanceOf(StoreClosedError)
    expect(await failure(() => store.transaction(async () => undefined))).toBeInstanceOf(StoreClosedError)
  })
})
