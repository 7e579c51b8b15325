import { describe, expect, it, vi } from 'vitest'
import type { EventStore } from '../../src/eventstore'
import { KirokuProvider, useStore } from '../../src/react'
import { openTestStore } from '../support/stores'
import { Caught, render } from './support'

describe('KirokuProvider and useStore', () => {
  it('give the components below the provider its store', async () => {
    const store = await openTestStore()
    let seen: EventStore | null = null
    function Probe() {
      seen = useStore()
      return <p>{seen.db.name}</p>
    }
    const view = await render(
      <KirokuProvider store={store}>
        <Probe />
      </KirokuProvider>,
    )
    expect(seen).toBe(store)
    expect(view.text()).toBe(store.db.name)
  })

  it('the nearest provider wins', async () => {
    const [outer, inner] = await Promise.all([openTestStore(), openTestStore()])
    function Name() {
      return <span>{useStore().db.name};</span>
    }
    const view = await render(
      <KirokuProvider store={outer}>
        <Name />
        <KirokuProvider store={inner}>
          <Name />
        </KirokuProvider>
      </KirokuProvider>,
    )
    expect(view.text()).toBe(`${outer.db.name};${inner.db.name};`)
  })

  it('useStore without a provider says what is missing', async () => {
    function Orphan() {
      useStore()
      return <p>rendered</p>
    }
    // React reports the caught render error on the console as well; the test reads the screen.
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    const view = await render(
      <Caught>
        <Orphan />
      </Caught>,
    )
    quiet.mockRestore()
    expect(view.text()).toBe('useStore needs a <KirokuProvider store={store}> above it.')
  })
})
