import { act, useMemo } from 'react'
import { describe, expect, it } from 'vitest'
import type { EventStore } from '../../src/eventstore'
import { KirokuProvider, useStreamVersion, type ChangeSource } from '../../src/react'
import { Added } from '../support/Tally'
import { openTestStore, uniqueName } from '../support/stores'
import { render, waitFor } from './support'

const add = (store: EventStore, stream: string) => store.append([Added({ amount: 1 })], { stream })

/** A change source the test fires by hand, as another tab's commit message would. */
function remoteCommits() {
  const listeners = new Set<() => void>()
  const source: ChangeSource = {
    subscribe(listener) {
      listeners.add(listener)
      return () => void listeners.delete(listener)
    },
  }
  return { source, fire: () => act(() => listeners.forEach((listener) => listener())), listeners }
}

function Version({ stream, changes, renders }: { stream: string; changes?: ChangeSource; renders?: { count: number } }) {
  if (renders) renders.count++
  const options = useMemo(() => (changes ? { changes } : {}), [changes])
  const version = useStreamVersion(stream, options)
  return <p>{version === undefined ? 'reading' : `v${version}`}</p>
}

describe('useStreamVersion', () => {
  it('is -1 for an empty stream once read, and follows appends to it', async () => {
    const store = await openTestStore()
    const view = await render(
      <KirokuProvider store={store}>
        <Version stream="Tally$t1" />
      </KirokuProvider>,
    )
    await waitFor(() => expect(view.text()).toBe('v-1'))
    await act(async () => void (await add(store, 'Tally$t1')))
    await waitFor(() => expect(view.text()).toBe('v0'))
    await act(async () => void (await store.transaction(async (tx) => {
      await add(tx, 'Tally$t1')
      await add(tx, 'Tally$t1')
    })))
    await waitFor(() => expect(view.text()).toBe('v2'))
  })

  it('renders nothing new for commits to other streams', async () => {
    const store = await openTestStore()
    await add(store, 'Tally$mine')
    const renders = { count: 0 }
    const view = await render(
      <KirokuProvider store={store}>
        <Version stream="Tally$mine" renders={renders} />
      </KirokuProvider>,
    )
    await waitFor(() => expect(view.text()).toBe('v0'))
    const before = renders.count
    for (let i = 0; i < 3; i++) await act(async () => void (await add(store, 'Tally$other')))
    // A marker commit to the stream itself: once it shows, the reads after the others have ended.
    await act(async () => void (await add(store, 'Tally$mine')))
    await waitFor(() => expect(view.text()).toBe('v1'))
    expect(renders.count).toBe(before + 1)
  })

  it("another connection's commits show by themselves: the database's channel announces them", async () => {
    const name = uniqueName()
    const store = await openTestStore({ name })
    const otherTab = await openTestStore({ name })
    const view = await render(
      <KirokuProvider store={store}>
        <Version stream="Tally$shared" />
      </KirokuProvider>,
    )
    await waitFor(() => expect(view.text()).toBe('v-1'))
    await add(otherTab, 'Tally$shared')
    await waitFor(() => expect(view.text()).toBe('v0'))
  })

  it("a connection that announces nothing shows only when the change source says so", async () => {
    const name = uniqueName()
    const store = await openTestStore({ name })
    // With no channel, its commits are heard by nobody else: as another tab's were before the change feed.
    const otherTab = await openTestStore({ name, channel: false })
    const remote = remoteCommits()
    const view = await render(
      <KirokuProvider store={store}>
        <Version stream="Tally$shared" changes={remote.source} />
      </KirokuProvider>,
    )
    await waitFor(() => expect(view.text()).toBe('v-1'))
    await add(otherTab, 'Tally$shared')
    // This store does not hear that connection's commit: after a round trip to the database the
    // screen still shows the old version, until the change source speaks.
    await act(async () => void (await store.streamVersion('Tally$shared')))
    expect(view.text()).toBe('v-1')
    remote.fire()
    await waitFor(() => expect(view.text()).toBe('v0'))
    // This connection's own commits need no change source, and the read sees everything committed.
    await add(otherTab, 'Tally$shared')
    await act(async () => void (await add(store, 'Tally$elsewhere')))
    await waitFor(() => expect(view.text()).toBe('v1'))
  })

  it('reads the new stream when the prop changes, and lets go of its listeners on unmount', async () => {
    const store = await openTestStore()
    await add(store, 'Tally$b')
    await add(store, 'Tally$b')
    const remote = remoteCommits()
    const tree = (stream: string) => (
      <KirokuProvider store={store}>
        <Version stream={stream} changes={remote.source} />
      </KirokuProvider>
    )
    const view = await render(tree('Tally$a'))
    await waitFor(() => expect(view.text()).toBe('v-1'))
    await view.rerender(tree('Tally$b'))
    await waitFor(() => expect(view.text()).toBe('v1'))
    expect(remote.listeners.size).toBe(1)
    view.unmount()
    expect(remote.listeners.size).toBe(0)
  })
})
