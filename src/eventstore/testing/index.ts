export { ScenarioFailedError, given } from './given'
export type { Outcome, Scenario } from './given'
