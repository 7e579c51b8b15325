// The source behind useStreamVersion, without React (Node, fake-indexeddb): it follows every change
// to the log, whichever connection to the database made it.
import { describe, expect, it } from 'vitest'
import { exportNdjsonText, importNdjson, type EventStore } from '../../src/eventstore'
import { StreamVersion } from '../../src/react/StreamVersion'
import { Added } from '../support/Tally'
import { openTestStore, uniqueName } from '../support/stores'

/** Follows the stream for the whole test, as a mounted component would. */
function mounted(store: EventStore, stream: string): StreamVersion {
  const source = new StreamVersion(store, stream)
  source.subscribe(() => undefined)
  return source
}

/** Resolves once the source shows `version` (now, or after a later change). */
function shows(source: StreamVersion, version: number): Promise<void> {
  return new Promise((resolve) => {
    const check = () => source.getState().version === version && (off(), resolve())
    const off = source.subscribe(check)
    check()
  })
}

describe('StreamVersion', () => {
  it('moves on with another connection’s commits (another tab, the worker’s sync) with no change source', async () => {
    const name = uniqueName()
    const store = await openTestStore({ name })
    const worker = await openTestStore({ name })
    const version = mounted(store, 'Tally$shared')
    await shows(version, -1)
    await worker.append([Added({ amount: 1 }), Added({ amount: 2 })], { stream: 'Tally$shared' })
    await shows(version, 1)
    expect(version.getState()).toEqual({ version: 1, error: undefined })
  })

  it('moves on with an import', async () => {
    const backup = await openTestStore()
    await backup.append([Added({ amount: 1 })], { stream: 'Tally$t' })
    const store = await openTestStore()
    const version = mounted(store, 'Tally$t')
    await shows(version, -1)
    await importNdjson(store, await exportNdjsonText(backup))
    await shows(version, 0)
    expect(version.getState().version).toBe(0)
  })
})
