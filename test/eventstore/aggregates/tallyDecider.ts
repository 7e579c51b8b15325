import { defineDecider, type AppliedEventOf } from '../../../src/eventstore'
import { Added, Closed, TallyClosedError, type TallyState } from '../../support/Tally'

// The Tally of test/support as a decider: the same events and streams (Tally$<id>), no class.
export type TallyEvent = AppliedEventOf<typeof Added | typeof Closed>
export type TallyCommand = { type: 'Add'; amount: number } | { type: 'Close'; reason: string } | { type: 'Nothing' }

export const initialTally = (): TallyState => ({ total: 0, count: 0, closed: false })

export function evolveTally(state: TallyState, event: TallyEvent): TallyState {
  switch (event.type) {
    case 'Tally.Added':
      return { ...state, total: state.total + event.data.amount, count: state.count + 1 }
    case 'Tally.Closed':
      return { ...state, closed: true }
    default:
      return state
  }
}

export function decideTally(command: TallyCommand, state: TallyState) {
  switch (command.type) {
    case 'Add':
      if (state.closed) throw new TallyClosedError('closed')
      return Added({ amount: command.amount })
    case 'Close':
      return state.closed ? [] : [Closed({ reason: command.reason })]
    case 'Nothing':
      return []
  }
}

export const tallyDecider = defineDecider({ name: 'Tally', initialState: initialTally, evolve: evolveTally, decide: decideTally })

/** The same decider, snapshotted every 10 events. */
export const snapshottedTallyDecider = defineDecider({ ...tallyDecider, snapshotEvery: 10, snapshotVersion: 1 })
