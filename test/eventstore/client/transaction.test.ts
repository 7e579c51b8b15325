import { describe, expect, it, vi } from 'vitest'
import {
  InvalidExpectedVersionError,
  SyncDispatcher,
  TransactionCommittedEarlyError,
  TransactionExpiredError,
  WrongExpectedVersionError,
  defaultComposedDispatcher,
  immediate,
  type RecordedEvent,
} from '../../../src/eventstore'
import { Counted, Noted, ids, notes } from '../../support/events'
import { failure } from '../../support/failure'
import { openTestStore } from '../../support/stores'

const readModels = { version: 1, stores: { counters: 'id' } }

describe('store.transaction', () => {
  it('commits the events and the app’s read-model writes together', async () => {
    const store = await openTestStore({ readModels })
    await store.transaction(async (tx) => {
      await tx.publish(notes(2), { stream: 's', expectedVersion: 'none' })
      await store.db.table('counters').put({ id: 'notes', value: 2 })
    })
    expect(await store.read.count()).toBe(2)
    expect(await store.db.table('counters').get('notes')).toEqual({ id: 'notes', value: 2 })
  })

  it('rolls back events and read-model writes when fn throws', async () => {
    const store = await openTestStore({ readModels })
    const boom = new Error('changed my mind')
    const error = await failure(() =>
      store.transaction(async (tx) => {
        await tx.append(notes(2), { stream: 's' })
        await store.db.table('counters').put({ id: 'notes', value: 2 })
        throw boom
      }),
    )
    expect(error).toBe(boom)
    expect(await store.read.count()).toBe(0)
    expect(await store.streamVersion('s')).toBe(-1)
    expect(await store.db.table('counters').count()).toBe(0)
  })

  it('rolls back everything, events included, when a sync handler throws inside', async () => {
    const store = await openTestStore({ readModels })
    store.subscribe(async (event, { store: scoped }) => {
      await scoped.db.table('counters').put({ id: event.eventId })
      if (event.eventId === 'e2') throw new Error('handler failed')
    }, { to: [Noted] })
    const error = await failure(() => store.transaction((tx) => tx.publish(notes(2), { stream: 's' })))
    expect(error.message).toBe('handler failed')
    expect(await store.read.count()).toBe(0)
    expect(await store.db.table('counters').count()).toBe(0)
  })

  it('lets a sync projection write its read model in the same transaction as the events', async () => {
    const store = await openTestStore({ readModels })
    store.subscribe(async (event, { store: scoped }) => {
      const table = scoped.db.table('counters')
      const row = (await table.get('total')) ?? { id: 'total', value: 0 }
      await table.put({ id: 'total', value: row.value + (event.data as { n: number }).n })
    }, { to: [Counted] })
    await store.transaction((tx) => tx.publish([Counted({ n: 2 }), Counted({ n: 3 })]))
    expect(await store.db.table('counters').get('total')).toEqual({ id: 'total', value: 5 })
  })

  it('rolls back earlier appends when a later one has the wrong version', async () => {
    const store = await openTestStore()
    await store.append(notes(1), { stream: 'b' })
    const error = await failure(() =>
      store.transaction(async (tx) => {
        await tx.append(notes(3, 'a'), { stream: 'a' })
        await tx.append(notes(1, 'x'), { stream: 'b', expectedVersion: 'none' })
      }),
    )
    expect(error).toBeInstanceOf(WrongExpectedVersionError)
    expect(ids(await store.read.toArray())).toEqual(['e1'])
    expect(await store.streamVersion('a')).toBe(-1)
  })

  it('rolls back everything after a failed write, even when fn catches its error and goes on', async () => {
    const store = await openTestStore({ readModels })
    const error = await failure(() =>
      store.transaction(async (tx) => {
        await tx.append(notes(1, 'a'), { stream: 's' })
        await store.db.table('counters').put({ id: 'notes', value: 1 })
        // The second event's id is already stored: the append fails after writing the first.
        const refused = await failure(() => tx.append([Noted({ text: 'b' }, { eventId: 'b1' }), Noted({ text: 'dup' }, { eventId: 'a1' })], { stream: 't' }))
        expect(refused.name).toBe('EventDuplicatedInStreamError')
        return 'carried on'
      }),
    )
    expect(error).toBeInstanceOf(Error)
    expect(await store.read.count()).toBe(0)
    expect(await store.streamVersion('t')).toBe(-1)
    expect(await store.db.table('counters').count()).toBe(0)
  })

  it('rolls back everything when a sync handler fails inside, even when fn catches its error and goes on', async () => {
    const store = await openTestStore({ readModels })
    store.subscribe(() => {
      throw new Error('handler failed')
    }, { to: [Counted] })
    const error = await failure(() =>
      store.transaction(async (tx) => {
        await tx.append(notes(1, 'a'), { stream: 's' })
        await store.db.table('counters').put({ id: 'notes', value: 1 })
        const refused = await failure(() => tx.publish([Counted({ n: 1 }, { eventId: 'c1' })], { stream: 't' }))
        expect(refused.message).toBe('handler failed')
        return 'carried on'
      }),
    )
    expect(error).toBeInstanceOf(Error)
    expect(await store.read.count()).toBe(0)
    expect(await store.db.table('counters').count()).toBe(0)
  })

  it('rolls back everything when a call inside is refused by its argument checks, even when fn catches it', async () => {
    const store = await openTestStore({ readModels })
    const error = await failure(() =>
      store.transaction(async (tx) => {
        await tx.append(notes(1, 'a'), { stream: 's' })
        await store.db.table('counters').put({ id: 'notes', value: 1 })
        const refused = await failure(() => tx.append(notes(1, 'b'), { stream: 's', expectedVersion: 'sometime' as never }))
        expect(refused).toBeInstanceOf(InvalidExpectedVersionError)
        return 'carried on'
      }),
    )
    expect(error).toBeInstanceOf(Error)
    expect(await store.read.count()).toBe(0)
    expect(await store.db.table('counters').count()).toBe(0)
  })

  it('sees its own writes inside', async () => {
    const store = await openTestStore()
    const seen = await store.transaction(async (tx) => {
      await tx.append(notes(2), { stream: 's' })
      return { version: await tx.streamVersion('s'), count: await tx.read.stream('s').count() }
    })
    expect(seen).toEqual({ version: 1, count: 2 })
  })

  it('joins the transaction from the root store called inside, so a rollback covers it', async () => {
    const store = await openTestStore()
    await failure(() =>
      store.transaction(async () => {
        await store.append(notes(1), { stream: 's' })
        throw new Error('undo')
      }),
    )
    expect(await store.read.count()).toBe(0)
  })

  it('keeps work that merely runs meanwhile outside it', async () => {
    const store = await openTestStore()
    // Unrelated code (a UI click, another projection's loop) runs in its own task and calls the
    // root store while the transaction is under way.
    let started = false
    const outside = new Promise((resolve) => setTimeout(resolve, 1)).then(() => {
      started = true
      return store.append(notes(1, 'out'))
    })
    await failure(() =>
      store.transaction(async (tx) => {
        await tx.append(notes(1, 'in'))
        while (!started) await tx.streamVersion('keeps-the-transaction-busy')
        await tx.append(notes(1, 'in2-'))
        throw new Error('roll back')
      }),
    )
    await outside
    expect(ids(await store.read.toArray())).toEqual(['out1'])
  })

  it('still joins from the root store after awaiting a plain async helper inside', async () => {
    const store = await openTestStore()
    const helper = async () => {
      await store.append(notes(1, 'helper-'))
      return store.streamVersion('s')
    }
    await failure(() =>
      store.transaction(async () => {
        await helper()
        await store.append(notes(1, 'after-'), { stream: 's' })
        throw new Error('roll back')
      }),
    )
    expect(await store.read.count()).toBe(0)
  })

  it('joins an outer transaction when nested', async () => {
    const store = await openTestStore()
    await failure(() =>
      store.transaction(async (outer) => {
        await outer.transaction((inner) => inner.append(notes(1)))
        throw new Error('outer fails')
      }),
    )
    expect(await store.read.count()).toBe(0)
  })

  it('reports awaiting a timer inside by name, and says what had already committed', async () => {
    const store = await openTestStore({ readModels })
    let lateError: unknown
    const error = await failure(() =>
      store.transaction(async (tx) => {
        await tx.append(notes(1))
        await store.db.table('counters').put({ id: 'notes', value: 1 })
        await new Promise((resolve) => setTimeout(resolve, 20))
        try {
          await tx.append(notes(1, 'late'))
        } catch (late) {
          lateError = late
          throw late
        }
      }),
    )
    // The late call itself learns that the transaction is over…
    expect(lateError).toBeInstanceOf(TransactionExpiredError)
    // …and the caller learns that it was not all-or-nothing: what ran before the timer stayed.
    expect(error).toBeInstanceOf(TransactionCommittedEarlyError)
    expect(error).not.toBeInstanceOf(TransactionExpiredError)
    expect(error.name).toBe('TransactionCommittedEarlyError')
    expect((error as TransactionCommittedEarlyError).committedEventIds).toEqual(['e1'])
    expect(error.message).toMatch(/e1/)
    expect(await store.read.event('late1')).toBeUndefined()
    expect(await store.read.event('e1')).toBeDefined()
    expect(await store.db.table('counters').get('notes')).toEqual({ id: 'notes', value: 1 })
  })

  it('reports an early commit even when fn swallows the late failure and resolves', async () => {
    const store = await openTestStore()
    const error = await failure(() =>
      store.transaction(async (tx) => {
        await tx.append(notes(1))
        await new Promise((resolve) => setTimeout(resolve, 20))
        await tx.append(notes(1, 'late')).catch(() => undefined)
        return 'done'
      }),
    )
    expect(error).toBeInstanceOf(TransactionCommittedEarlyError)
    expect(await store.read.event('late1')).toBeUndefined()
  })

  it('tells commit listeners what did commit early, once', async () => {
    const store = await openTestStore()
    const heard: RecordedEvent[][] = []
    store.onCommit((events) => void heard.push([...events]))
    await failure(() =>
      store.transaction(async (tx) => {
        await tx.append(notes(1))
        await new Promise((resolve) => setTimeout(resolve, 20))
        await tx.append(notes(1, 'late'))
      }),
    )
    expect(heard.map(ids)).toEqual([['e1']])
  })

  it('reports a sync handler that awaits a timer before its read-model write', async () => {
    const store = await openTestStore({ readModels })
    store.subscribe(async (event, { store: scoped }) => {
      await new Promise((resolve) => setTimeout(resolve, 20))
      await scoped.db.table('counters').put({ id: event.eventId })
    }, { to: [Noted] })
    const error = await failure(() => store.transaction((tx) => tx.publish(notes(1), { stream: 's' })))
    expect(error).toBeInstanceOf(TransactionCommittedEarlyError)
    expect((error as TransactionCommittedEarlyError).committedEventIds).toEqual(['e1'])
  })

  it('reports awaiting an immediate handler that writes: its write waits for the transaction, which commits early', async () => {
    const sync = new SyncDispatcher()
    const store = await openTestStore({ readModels, dispatcher: defaultComposedDispatcher(sync) })
    let done!: () => void
    const handled = new Promise<void>((resolve) => (done = resolve))
    store.subscribe(
      immediate(async (event, { store: outside }) => {
        await outside.db.table('counters').put({ id: event.eventId })
        done()
      }),
      { to: [Noted] },
    )
    const error = await failure(() =>
      store.transaction(async (tx) => {
        await tx.publish(notes(1), { stream: 's' })
        await handled
        await tx.append(notes(1, 'late'))
      }),
    )
    expect(error).toBeInstanceOf(TransactionCommittedEarlyError)
    expect((error as TransactionCommittedEarlyError).committedEventIds).toEqual(['e1'])
    expect(await store.read.event('late1')).toBeUndefined()
    expect(await store.db.table('counters').get('e1')).toEqual({ id: 'e1' })
  })

  it('tells commit listeners once, after the commit, with every event of the transaction', async () => {
    const store = await openTestStore()
    const heard: RecordedEvent[][] = []
    store.onCommit((events) => void heard.push([...events]))
    await store.transaction(async (tx) => {
      await tx.append(notes(1, 'a'))
      await tx.append(notes(1, 'b'))
      expect(heard).toEqual([])
    })
    expect(heard.map(ids)).toEqual([['a1', 'b1']])
  })

  it('tells commit listeners nothing when the transaction rolls back', async () => {
    const store = await openTestStore()
    const listener = vi.fn()
    store.onCommit(listener)
    await failure(() =>
      store.transaction(async (tx) => {
        await tx.append(notes(1))
        throw new Error('no')
      }),
    )
    expect(listener).not.toHaveBeenCalled()
  })

  it('does not leak: after it ends, the root store writes on its own again', async () => {
    const store = await openTestStore()
    await store.transaction((tx) => tx.append(notes(1, 'in')))
    await store.append(notes(1, 'out'))
    await failure(() => store.append(notes(1, 'out'), { stream: 'x' }))
    expect(ids(await store.read.toArray())).toEqual(['in1', 'out1'])
  })

  it('returns what fn returns', async () => {
    const store = await openTestStore()
    expect(await store.transaction(async (tx) => (await tx.append(notes(1))).length)).toBe(1)
  })
})
