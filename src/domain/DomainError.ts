import { EventStoreError } from '../eventstore/errors'

/** A business rule said no. Nothing was written; the message is fit to show the user. */
export class DomainError extends EventStoreError {
  override name = 'DomainError'
}
