// The shop's rules as the sync server checks them: the domain's own (src/domain), the very code the
// browser runs for a rebase.
// TEMPORARY adapter over the domain's check functions until src/domain exports its `shopRules`.
import * as domain from '../src/domain'
import { checkStreamEvents, DomainError, ownerNamedBy, parseStreamName, streamsReadBy, streamTypeOf } from '../src/domain'
import { EventStoreError } from '../src/eventstore'
import type { Rules } from '../src/server'
import { eventDefinitionsOf } from '../src/server/sync'

export const shopRules: Rules = {
  definitions: eventDefinitionsOf(domain),
  categoryOf: (stream) => parseStreamName(stream)?.type,
  governs: (stream, events) => streamTypeOf(stream, events) !== undefined,
  ownerNamedBy,
  reads: streamsReadBy,
  check: (stream, stored, events, options) => checkStreamEvents(stream, stored, events, options),
  isRefusal: (error) => error instanceof DomainError || error instanceof EventStoreError,
}
