import { act } from 'react'
import { describe, expect, it } from 'vitest'
import { createStore } from 'zustand/vanilla'
import { useProjection, type ProjectionSource } from '../../src/react'
import { render } from './support'

interface Counter {
  count: number
  label: string
  items: readonly string[]
}

const counter = () => createStore<Counter>(() => ({ count: 0, label: 'a', items: [] }))

const sameItems = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((item, i) => item === b[i])

describe('useProjection', () => {
  it('renders the whole state without a selector, and again on every change', async () => {
    const source = counter()
    function Whole() {
      const { count, label } = useProjection(source)
      return <p>{`${label}${count}`}</p>
    }
    const view = await render(<Whole />)
    expect(view.text()).toBe('a0')
    act(() => source.setState({ label: 'b' }))
    expect(view.text()).toBe('b0')
  })

  it('with a selector, renders again only when the selected part changes', async () => {
    const source = counter()
    let renders = 0
    function Count() {
      renders++
      return <p>{useProjection(source, (state) => state.count)}</p>
    }
    const view = await render(<Count />)
    expect(view.text()).toBe('0')
    const before = renders
    act(() => source.setState({ label: 'b' }))
    act(() => source.setState({ label: 'c' }))
    expect(renders).toBe(before)
    act(() => source.setState({ count: 1 }))
    expect(view.text()).toBe('1')
    expect(renders).toBe(before + 1)
  })

  it('a selector that builds a new value each time renders again only when isEqual says it changed', async () => {
    const source = counter()
    let renders = 0
    const seen: Array<readonly string[]> = []
    function Upper() {
      renders++
      const upper = useProjection(source, (state) => state.items.map((item) => item.toUpperCase()), sameItems)
      seen.push(upper)
      return <p>{upper.join(',')}</p>
    }
    const view = await render(<Upper />)
    act(() => source.setState({ items: ['x'] }))
    expect(view.text()).toBe('X')
    const before = renders
    act(() => source.setState({ items: ['x'], label: 'other' }))
    expect(renders).toBe(before)
    act(() => source.setState({ items: ['x', 'y'] }))
    expect(view.text()).toBe('X,Y')
    expect(renders).toBe(before + 1)
  })

  it('keeps an equal selection identical across renders the parent causes', async () => {
    const source = counter()
    act(() => source.setState({ items: ['x'] }))
    const seen: Array<readonly string[]> = []
    function Upper({ tick }: { tick: number }) {
      const upper = useProjection(source, (state) => state.items.map((item) => item.toUpperCase()), sameItems)
      seen.push(upper)
      return <p>{`${upper.join(',')}@${tick}`}</p>
    }
    const view = await render(<Upper tick={1} />)
    await view.rerender(<Upper tick={2} />)
    expect(view.text()).toBe('X@2')
    expect(seen.at(-1)).toBe(seen[0])
  })

  it('follows a new source when the prop changes, and stops listening to the old one', async () => {
    const first = counter()
    const second = counter()
    act(() => second.setState({ count: 7 }))
    function Count({ source }: { source: ProjectionSource<Counter> }) {
      return <p>{useProjection(source, (state) => state.count)}</p>
    }
    const view = await render(<Count source={first} />)
    await view.rerender(<Count source={second} />)
    expect(view.text()).toBe('7')
    act(() => first.setState({ count: 99 }))
    expect(view.text()).toBe('7')
  })

  it('takes a source shaped for React (getSnapshot) as well', async () => {
    let value = 'first'
    const listeners = new Set<() => void>()
    const source = {
      getSnapshot: () => value,
      subscribe(listener: () => void) {
        listeners.add(listener)
        return () => void listeners.delete(listener)
      },
    }
    function Value() {
      return <p>{useProjection(source)}</p>
    }
    const view = await render(<Value />)
    expect(view.text()).toBe('first')
    act(() => {
      value = 'second'
      for (const listener of listeners) listener()
    })
    expect(view.text()).toBe('second')
    view.unmount()
    expect(listeners.size).toBe(0)
  })
})
