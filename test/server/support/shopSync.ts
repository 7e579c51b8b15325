// The library's push with the shop's rules, for tests of the use cases without HTTP. `definitions`
// stands in for the rules' event types (a test's own types).
import type { EventDefinitions } from '../../../src/server/sync/eventDefinitions'
import { push as libraryPush, type PushOptions } from '../../../src/server/sync'
import type { Db } from '../../../src/server/db/Db'
import type { Account } from '../../../src/server/sync/account'
import { shopRules } from '../../../server/rules'

export * from '../../../src/server/sync'

export type ShopPushOptions = Partial<PushOptions> & { definitions?: EventDefinitions }

export const push = (db: Db, writer: string | Account, body: unknown, { definitions, ...options }: ShopPushOptions = {}) =>
  libraryPush(db, writer, body, { rules: definitions === undefined ? shopRules : { ...shopRules, definitions }, ...options })

/** The shop's event definitions, by type. */
export const domainEventDefinitions = shopRules.definitions
