import type { AggregateType } from './AggregateRoot'
import type { Decider } from './Decider'

/** An aggregate kind in either style: a class (`Cart`) or a decider (`defineDecider({ name: 'Cart', … })`). */
export type AggregateKind = AggregateType | Decider<any, any, any>

/** The kind's stream name prefix: the class's `aggregateName`, the decider's `name`. */
export const nameOf = (kind: AggregateKind): string => (typeof kind === 'function' ? kind.aggregateName : kind.name)

/** The stream of one aggregate: `${name}$${id}`, whichever style it is written in. */
export const streamOf = (kind: AggregateKind, id: string): string => `${nameOf(kind)}$${id}`
