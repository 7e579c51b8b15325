// The app's rules, as the server checks pushes with them: made by the event store's `defineRules`
// (the same definition drives the browser's rebase).
export type { CheckedEvent, Rules } from '../../eventstore/rules'
