import { AggregateRoot, defineEvent } from '../../src/eventstore'

// A small aggregate for the library's own tests: a running total that can be closed.
export const Added = defineEvent<{ amount: number }, 'Tally.Added'>('Tally.Added')
export const Closed = defineEvent<{ reason: string }, 'Tally.Closed'>('Tally.Closed')
export const Forgotten = defineEvent<Record<string, never>, 'Tally.Forgotten'>('Tally.Forgotten')

export interface TallyState {
  total: number
  count: number
  closed: boolean
}

export class TallyClosedError extends Error {
  override name = 'TallyClosedError'
}

export class Tally extends AggregateRoot<TallyState> {
  static readonly aggregateName = 'Tally'

  constructor(id: string) {
    super(id, { total: 0, count: 0, closed: false })
    this.on(Added, (s, e) => ({ ...s, total: s.total + e.data.amount, count: s.count + 1 }))
    this.on(Closed, (s) => ({ ...s, closed: true }))
  }

  get total(): number {
    return this.state.total
  }

  get count(): number {
    return this.state.count
  }

  add(amount: number): void {
    if (this.state.closed) throw new TallyClosedError('closed')
    this.apply(Added({ amount }))
  }

  close(reason = 'done'): void {
    this.apply(Closed({ reason }))
  }

  /** Applies an event it has no handler for. */
  forget(): void {
    this.apply(Forgotten({}))
  }
}

/** The same aggregate, snapshotted every 10 events. */
export class SnapshottedTally extends Tally {
  static override readonly aggregateName = 'Tally'
  static readonly snapshotEvery: number = 10
  static snapshotVersion = 1
}
