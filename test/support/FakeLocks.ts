import type { Locks } from '../../src/eventstore'

/** Web Locks for Node: one holder per name at a time, the others queued in request order. */
export class FakeLocks implements Locks {
  private readonly tails = new Map<string, Promise<unknown>>()

  request(name: string, callback: () => Promise<void>): Promise<unknown> {
    const run = (this.tails.get(name) ?? Promise.resolve()).then(callback)
    this.tails.set(name, run.catch(() => undefined))
    return run
  }
}
