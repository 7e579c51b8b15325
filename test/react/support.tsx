// Rendering hooks into a real DOM (vitest browser mode, headless Chromium), each update inside act.
import { act, Component, type ReactNode } from 'react'
import { createRoot, type Root } from 'react-dom/client'
import { afterEach } from 'vitest'

;(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true

const mounted: Array<{ root: Root; container: HTMLElement }> = []

afterEach(() => {
  for (const { root, container } of mounted.splice(0)) {
    act(() => root.unmount())
    container.remove()
  }
})

export interface Rendered {
  container: HTMLElement
  /** The container's text. */
  text(): string
  rerender(element: ReactNode): Promise<void>
  unmount(): void
}

export async function render(element: ReactNode): Promise<Rendered> {
  const container = document.createElement('div')
  document.body.append(container)
  const root = createRoot(container)
  const entry = { root, container }
  mounted.push(entry)
  await act(async () => root.render(element))
  return {
    container,
    text: () => container.textContent ?? '',
    rerender: (next) => act(async () => root.render(next)),
    unmount: () => {
      mounted.splice(mounted.indexOf(entry), 1)
      act(() => root.unmount())
      container.remove()
    },
  }
}

export { waitFor } from '../support/waitFor'

/** A promise settled from outside, to hold a command in flight for as long as a test needs. */
export function deferred<T>() {
  let resolve!: (value: T) => void
  let reject!: (error: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

/** Shows what its children threw while rendering. */
export class Caught extends Component<{ children: ReactNode }, { error: unknown }> {
  override state = { error: null as unknown }
  static getDerivedStateFromError(error: unknown) {
    return { error }
  }
  override render() {
    return this.state.error ? <p role="alert">{(this.state.error as Error).message}</p> : this.props.children
  }
}
