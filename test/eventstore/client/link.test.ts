import { describe, expect, it } from 'vitest'
import {
  EventDuplicatedInStreamError,
  EventNotFoundError,
  EventNotFoundInStreamError,
  IncorrectStreamDataError,
  WrongExpectedVersionError,
} from '../../../src/eventstore'
import { ids, notes } from '../../support/events'
import { failure } from '../../support/failure'
import { openTestStore } from '../../support/stores'

describe('link', () => {
  it('adds stored events to another stream in link order, not log order', async () => {
    const store = await openTestStore()
    await store.append(notes(3), { stream: 'source' })
    await store.link(['e3', 'e1'], { stream: 'picked', expectedVersion: 'none' })
    await store.link('e2', { stream: 'picked', expectedVersion: 1 })
    expect(ids(await store.read.stream('picked').toArray())).toEqual(['e3', 'e1', 'e2'])
    expect(ids(await store.read.stream('picked').backward().toArray())).toEqual(['e2', 'e1', 'e3'])
    expect(await store.positionInStream('e1', 'picked')).toBe(1)
  })

  it('keeps the event once in the log and in its first stream', async () => {
    const store = await openTestStore()
    await store.append(notes(1), { stream: 'a' })
    await store.link(['e1'], { stream: 'b' })
    expect(await store.read.count()).toBe(1)
    expect(await store.positionInStream('e1', 'a')).toBe(0)
    expect(await store.read.stream('b').first()).toMatchObject({ eventId: 'e1', data: { text: 'note 1' } })
  })

  it('links an event stored without a stream', async () => {
    const store = await openTestStore()
    await store.append(notes(1))
    await store.link(['e1'], { stream: 'later' })
    expect(await store.streamsOf('e1')).toEqual(['later'])
  })

  it('rejects an unknown event id with EventNotFoundError and links none of the batch', async () => {
    const store = await openTestStore()
    await store.append(notes(2), { stream: 'a' })
    const error = await failure(() => store.link(['e1', 'nope', 'e2'], { stream: 'b' }))
    expect(error).toBeInstanceOf(EventNotFoundError)
    expect(error).toMatchObject({ name: 'EventNotFoundError', eventId: 'nope' })
    expect(await store.streamVersion('b')).toBe(-1)
  })

  it('rejects linking an event into a stream it is already in', async () => {
    const store = await openTestStore()
    await store.append(notes(2), { stream: 'a' })
    await store.link(['e1'], { stream: 'b' })
    const error = await failure(() => store.link(['e2', 'e1'], { stream: 'b' }))
    expect(error).toBeInstanceOf(EventDuplicatedInStreamError)
    expect(error).toMatchObject({ eventId: 'e1', stream: 'b' })
    expect(ids(await store.read.stream('b').toArray())).toEqual(['e1'])
  })

  it('rejects linking an event back into the stream it was appended to', async () => {
    const store = await openTestStore()
    await store.append(notes(1), { stream: 'a' })
    expect(await failure(() => store.link(['e1'], { stream: 'a' }))).toBeInstanceOf(EventDuplicatedInStreamError)
    expect(await store.streamVersion('a')).toBe(0)
  })

  it('rejects the same id twice in one link call', async () => {
    const store = await openTestStore()
    await store.append(notes(1), { stream: 'a' })
    expect(await failure(() => store.link(['e1', 'e1'], { stream: 'b' }))).toBeInstanceOf(EventDuplicatedInStreamError)
    expect(await store.streamVersion('b')).toBe(-1)
  })

  it('checks the expected version of the target stream', async () => {
    const store = await openTestStore()
    await store.append(notes(2), { stream: 'a' })
    await store.link(['e1'], { stream: 'b' })
    const error = await failure(() => store.link(['e2'], { stream: 'b', expectedVersion: 'none' }))
    expect(error).toBeInstanceOf(WrongExpectedVersionError)
    expect(error).toMatchObject({ stream: 'b', expected: 'none', actual: 0 })
    expect(await store.streamVersion('b')).toBe(0)
  })

  it('rejects an empty target stream name', async () => {
    const store = await openTestStore()
    await store.append(notes(1))
    expect(await failure(() => store.link(['e1'], { stream: '' }))).toBeInstanceOf(IncorrectStreamDataError)
  })
})

describe('streamsOf, positions and deleteStream', () => {
  it('lists the streams of an event in the order it joined them', async () => {
    const store = await openTestStore()
    await store.append(notes(1), { stream: 'zeta' })
    await store.link(['e1'], { stream: 'alpha' })
    await store.link(['e1'], { stream: 'mid' })
    expect(await store.streamsOf('e1')).toEqual(['zeta', 'alpha', 'mid'])
  })

  it('gives no streams for an unknown event', async () => {
    const store = await openTestStore()
    expect(await store.streamsOf('unknown')).toEqual([])
  })

  it('keeps the join order after a stream in the middle is deleted and another is linked', async () => {
    const store = await openTestStore()
    await store.append(notes(1), { stream: 'first' })
    await store.link(['e1'], { stream: 'second' })
    await store.deleteStream('first')
    await store.link(['e1'], { stream: 'third' })
    expect(await store.streamsOf('e1')).toEqual(['second', 'third'])
  })

  it('gives the position of an event in each of its streams', async () => {
    const store = await openTestStore()
    await store.append(notes(3), { stream: 'a' })
    await store.append(notes(1, 'x'), { stream: 'b' })
    await store.link(['e3'], { stream: 'b' })
    expect(await store.positionInStream('e3', 'a')).toBe(2)
    expect(await store.positionInStream('e3', 'b')).toBe(1)
  })

  it('rejects positionInStream for an event that is not in that stream', async () => {
    const store = await openTestStore()
    await store.append(notes(1), { stream: 'a' })
    const error = await failure(() => store.positionInStream('e1', 'b'))
    expect(error).toBeInstanceOf(EventNotFoundInStreamError)
    expect(error).toMatchObject({ name: 'EventNotFoundInStreamError', eventId: 'e1', stream: 'b' })
  })

  it('gives the global position of an event, and EventNotFoundError for an unknown one', async () => {
    const store = await openTestStore()
    const [first, second] = await store.append(notes(2), { stream: 'a' })
    expect(await store.globalPosition('e2')).toBe(second?.globalPosition)
    expect(second!.globalPosition).toBeGreaterThan(first!.globalPosition)
    expect(await failure(() => store.globalPosition('nope'))).toBeInstanceOf(EventNotFoundError)
  })

  it('deletes a stream’s membership and keeps its events in the log and in other streams', async () => {
    const store = await openTestStore()
    await store.append(notes(2), { stream: 'a' })
    await store.link(['e2'], { stream: 'b' })
    await store.deleteStream('a')
    expect(await store.streamVersion('a')).toBe(-1)
    expect(await store.read.stream('a').toArray()).toEqual([])
    expect(ids(await store.read.toArray())).toEqual(['e1', 'e2'])
    expect(await store.streamsOf('e2')).toEqual(['b'])
  })

  it('starts a deleted stream again at position 0', async () => {
    const store = await openTestStore()
    await store.append(notes(2), { stream: 'a' })
    await store.deleteStream('a')
    await store.append(notes(1, 'x'), { stream: 'a', expectedVersion: 'none' })
    expect(await store.positionInStream('x1', 'a')).toBe(0)
  })

  it('deletes only the named stream, not streams whose names start the same', async () => {
    const store = await openTestStore()
    await store.append(notes(1, 'a'), { stream: 'Order$1' })
    await store.append(notes(1, 'b'), { stream: 'Order$12' })
    await store.deleteStream('Order$1')
    expect(await store.streamVersion('Order$12')).toBe(0)
  })

  it('rejects deleteStream with an empty name', async () => {
    const store = await openTestStore()
    expect(await failure(() => store.deleteStream(''))).toBeInstanceOf(IncorrectStreamDataError)
  })
})
