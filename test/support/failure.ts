/** The error `fn` throws or rejects with; fails the test when it succeeds. */
export async function failure(fn: () => unknown): Promise<any> {
  try {
    await fn()
  } catch (error) {
    return error
  }
  throw new Error('expected the call to fail, but it succeeded')
}
