import { act } from 'react'

/**
 * Retries `check` until it stops throwing, letting React and IndexedDB work in between (as
 * testing-library's waitFor does); rethrows its last failure after `timeout` ms.
 */
export async function waitFor<T>(check: () => T, timeout = 5_000): Promise<T> {
  const start = performance.now()
  for (;;) {
    try {
      return check()
    } catch (error) {
      if (performance.now() - start > timeout) throw error
    }
    await act(async () => {
      await new Promise((resolve) => setTimeout(resolve, 10))
    })
  }
}
