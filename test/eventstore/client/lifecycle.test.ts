import { describe, expect, it } from 'vitest'
import { ProjectionRunner, StoreClosedError, defineProjection, type CloseReason } from '../../../src/eventstore'
import { Noted, notes } from '../../support/events'
import { failure } from '../../support/failure'
import { openTestStore, uniqueName } from '../../support/stores'

const readModels = (version: number) => ({ version, stores: { seen: 'eventId' } })

describe('store.onClose: one lifecycle for the store', () => {
  it('tells each listener once when close() is called, and a listener added afterwards at once', async () => {
    const store = await openTestStore()
    const heard: CloseReason[] = []
    const off = store.onClose((reason) => heard.push(reason))
    const removed: CloseReason[] = []
    store.onClose((reason) => removed.push(reason))()
    expect(store.isClosed).toBe(false)

    store.close()
    store.close()
    expect(heard).toEqual(['closed'])
    expect(removed).toEqual([])
    expect(store.isClosed).toBe(true)
    off()

    const late: CloseReason[] = []
    store.onClose((reason) => late.push(reason))
    expect(late).toEqual(['closed'])
    expect(await failure(() => store.append(notes(1)))).toBeInstanceOf(StoreClosedError)
  })

  it('tells its listeners "versionchange" when another connection opens a newer version, without blocking it', async () => {
    const name = uniqueName()
    const old = await openTestStore({ name, readModels: readModels(1) })
    await old.append(notes(1))
    const heard: CloseReason[] = []
    old.onClose((reason) => heard.push(reason))

    const newer = await openTestStore({ name, readModels: readModels(2) })
    expect(heard).toEqual(['versionchange'])
    expect(old.isClosed).toBe(true)
    expect(newer.isClosed).toBe(false)
    expect(await failure(() => old.read.toArray())).toBeInstanceOf(StoreClosedError)
    expect(await newer.read.count()).toBe(1)
  })

  it('stays closed after a newer version elsewhere: its own tables do not quietly reopen the connection', async () => {
    const name = uniqueName()
    const old = await openTestStore({ name, readModels: readModels(1) })
    await openTestStore({ name, readModels: readModels(2) })
    expect(await failure(() => old.db.table('seen').get('x'))).toBeInstanceOf(Error)
    expect(old.db.isOpen()).toBe(false)
  })

  it('keeps the reason it closed for listeners added later', async () => {
    const name = uniqueName()
    const old = await openTestStore({ name, readModels: readModels(1) })
    await openTestStore({ name, readModels: readModels(2) })
    const late: CloseReason[] = []
    old.onClose((reason) => late.push(reason))
    expect(late).toEqual(['versionchange'])
  })

  it('stops a projection runner when its store closes: nothing more is applied and nothing fails', async () => {
    const name = uniqueName()
    const store = await openTestStore({ name, readModels: readModels(1) })
    await store.append(notes(2))
    const applied: string[] = []
    const seen = defineProjection({
      name: 'seen',
      events: [Noted],
      tables: ['seen'],
      apply: async (event, { table }) => {
        applied.push(event.eventId)
        await table('seen').put({ eventId: event.eventId })
      },
    })
    const runner = new ProjectionRunner(store, [seen], { sleep: async () => undefined })
    await runner.start()
    expect(applied).toEqual(['e1', 'e2'])

    const newer = await openTestStore({ name, readModels: readModels(2) })
    await newer.append(notes(1, 'after-'))
    // Before, every notify failed with StoreClosedError; a closed store's runner is simply over.
    await expect(runner.notify()).resolves.toBeUndefined()
    await expect(runner.retry('seen')).resolves.toBeUndefined()
    expect(applied).toEqual(['e1', 'e2'])
    expect(runner.status()[0]).toMatchObject({ checkpoint: await newer.globalPosition('e2') })
  })
})
