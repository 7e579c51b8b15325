// The shop's rules, as the sync server checks pushes with them: the domain's own (src/domain), the
// very code the browser's rebase runs.
export { shopRules } from '../src/domain'
