// What request bodies may make the process hold at once, all requests together (issue 24, item
// 1): sign-ups need no account, and a body sent a byte a second is held until it is all in. A
// body reserves its Content-Length (or the body limit when it has none) while its request is
// handled; past the bound the next is 429 rate_limited before anything of it is read. In process,
// with a bound of 1,000 bytes and bodies that arrive only when the test lets them.
import { describe, expect, it } from 'vitest'
import { createApp } from './support/shopApp'
import { engines } from './support/engines'

/** A request body of `text` that is sent only once `release` is called. */
function heldBody(text: string): { body: ReadableStream<Uint8Array>; release: () => void } {
  let release = () => {}
  const arrived = new Promise<void>((resolve) => (release = resolve))
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      await arrived
      controller.enqueue(new TextEncoder().encode(text))
      controller.close()
    },
  })
  return { body, release }
}

const signup = (email: string) => JSON.stringify({ email, password: 'correct horse battery' }).padEnd(600, ' ')

describe.each(engines())('bodies in flight on $name', (engine) => {
  it('refuses a body that would take the bodies being read past the bound with 429, and takes it once the others are in', async () => {
    const app = createApp({ db: await engine.open(), bodiesInFlight: 1_000 })
    const slow = heldBody(signup('slow@example.com'))
    const first = app.request('/api/auth/signup', { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': '600' }, body: slow.body, duplex: 'half' } as RequestInit)
    // 600 bytes are reserved while the first body dribbles in: 600 more do not fit in 1,000.
    const refused = await app.request('/api/auth/signup', { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': '600' }, body: signup('next@example.com') })
    expect(refused.status).toBe(429)
    expect(refused.headers.get('retry-after')).toBe('1')
    expect(await refused.json()).toMatchObject({ error: { code: 'rate_limited' } })
    // A request without a body is not held back.
    expect((await app.request('/api/auth/logout', { method: 'POST' })).status).toBe(204)
    slow.release()
    expect((await first).status).toBe(201)
    // Its reservation is given back: the next body fits again.
    expect((await app.request('/api/auth/signup', { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': '600' }, body: signup('next@example.com') })).status).toBe(201)
  })
})
