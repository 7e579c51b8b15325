// An app's rules, written once: for each category of streams (one per aggregate, a class or a
// decider), which command produced each of its events. The sync server checks pushed commits
// with them and the browser's rebase checks pending events with them.
export { defineRules } from './defineRules'
export type { RulesOptions } from './defineRules'
export {
  EventDataRefusedError,
  EventNotOfCategoryError,
  EventNotProducedError,
  EventOutOfPlaceError,
  RuleRefusalError,
  StreamIdMismatchError,
  UndeclaredReadError,
} from './errors'
export { replayed } from './replayed'
export type { CheckedEvent, Rules } from './Rules'
export { rulesOf } from './rulesOf'
export type { CategoryOptions, CategoryRules, ClassRuleOptions, DeciderRuleOptions, RuleContext, RuledEvent } from './rulesOf'
