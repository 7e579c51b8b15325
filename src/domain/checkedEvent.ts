import { registerError } from '../eventstore/errors'
import type { CheckedEvent } from '../eventstore/rules'
import { DomainError } from './DomainError'

/** An event to check against an aggregate's state: its type and data, new or stored. */
export type DomainEvent = CheckedEvent

/** An event that does not belong to the stream it is written to, or cannot happen there. */
export class UnexpectedEventError extends DomainError {
  override name = 'Domain.UnexpectedEventError'
  constructor(
    readonly aggregate: string,
    readonly type: string,
    readonly reason: string,
  ) {
    super(`A ${type} event cannot be recorded on a ${aggregate}: ${reason}.`, { aggregate, type, reason })
  }
}

export const unexpectedEvent = (aggregate: string, type: string, reason = 'it is not one of its events') => new UnexpectedEventError(aggregate, type, reason)

registerError('Domain.UnexpectedEventError', (f) => new UnexpectedEventError(String(f.aggregate), String(f.type), String(f.reason)))
