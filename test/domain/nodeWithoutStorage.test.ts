// The domain (and the library parts it uses: events, aggregates, errors) loads and runs in plain
// Node with no IndexedDB and with Dexie forbidden, as the sync server will run it.
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const run = promisify(execFile)

/** Runs an ES module body in a fresh Node with TypeScript (tsx) where importing Dexie throws. */
async function nodeWithoutStorage(body: string): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, ['--import', 'tsx', '--import', './test/support/forbid-dexie.mjs', '--input-type=module', '-e', body], {
    cwd: process.cwd(),
    env: { ...process.env, NODE_OPTIONS: '' },
  })
}

describe('the domain in Node, without a browser storage', () => {
  it('loads src/domain and runs a cart and an order through their rules', async () => {
    const { stdout } = await nodeWithoutStorage(`
      const { Cart, Order, catalog, InvalidQuantityError } = await import('./src/domain/index.ts')
      const product = catalog[0]
      const cart = new Cart('c1')
      cart.addItem(product.id, 2, product.price)
      let refused = null
      try { cart.addItem(product.id, 0, product.price) } catch (error) { refused = error instanceof InvalidQuantityError }
      cart.checkout('o1')
      const order = new Order('o1')
      order.place(cart.id, cart.lines, cart.subtotal, cart.discount)
      console.log(JSON.stringify({ indexedDB: typeof indexedDB, types: [...cart.unpublishedEvents, ...order.unpublishedEvents].map((e) => e.type), refused, total: order.total }))
    `)
    const result = JSON.parse(stdout)
    expect(result.indexedDB).toBe('undefined')
    expect(result.types).toEqual(['Cart.ItemAdded', 'Cart.CheckedOut', 'Order.Placed'])
    expect(result.refused).toBe(true)
    expect(result.total).toBeGreaterThan(0)
  })

  it('really forbids Dexie there: the browser store itself does not load', async () => {
    const error = await nodeWithoutStorage(`await import('./src/eventstore/index.ts')`).then(
      () => null,
      (failure: { stderr: string }) => failure,
    )
    // Whichever of the store's modules Node resolves first names Dexie (the order varies under load).
    expect(error?.stderr).toMatch(/dexie imported by .*src\/eventstore\//)
  })
})
