// Test helpers, an entry of their own (not part of the runtime one). Nothing here touches storage:
// scenarios run in Node and in the browser, with any test runner.
/**
 * given / when / then for aggregates, deciders, projections and handlers, with no database.
 *
 * @module kiroku-es/testing
 */
export { ScenarioFailedError } from './ScenarioFailedError'
export { given } from './given'
export type { DeciderScenario, Outcome, Scenario } from './given'
export { givenEvents } from './givenEvents'
export type { EventsScenario, HandledOutcome, HandlerStandIn, ProjectedOutcome, PublishedEvent, WhenHandledOptions } from './givenEvents'
export { GIVEN_AT } from './asRecorded'
export type { ErrorPredicate, ExpectedError, ExpectedEvents } from './compare'
