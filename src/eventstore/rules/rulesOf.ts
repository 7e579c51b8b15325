// A category's rules: for each of its events, the command of its aggregate (a class or a decider)
// that produced it. Checking an event is running that command on the stream's state and seeing it
// make that very event, so the app's own commands are the only rules there are.
import { decideEvents, evolveAll, nameOf, type AggregateKind, type AggregateRoot, type AggregateType, type AppliedEvent, type Decider } from '../aggregates'
import type { EventDefinition } from '../events'
import { replayed } from './replayed'
import type { CheckedEvent } from './Rules'
import { sameData } from './sameData'

/** What a rule may read besides the stream it checks: only what the category's `reads` named for the event. */
export interface RuleContext {
  /** The stream being checked, and its id (the part of its name after `$`). */
  readonly stream: string
  readonly id: string
  /** The stored events of another stream `reads` named; undefined when it has none (never written, or not this user's). */
  events(stream: string): readonly CheckedEvent[] | undefined
  /** Another aggregate replayed from its stream (`reads` named `<Kind>$<id>`): the class, or a decider's state; undefined when it has no events. */
  state<A extends AggregateRoot<any>>(kind: AggregateType<A>, id: string): A | undefined
  state<State>(kind: Decider<State, any, any>, id: string): State | undefined
}

/** An event of the definitions `D` as a rule sees it (a union for a union of definitions): its type and typed data. */
export type RuledEvent<D> = D extends EventDefinition<infer Type, infer Data> ? { readonly type: Type; readonly data: Data } : never

type DataOf<D> = D extends EventDefinition<string, infer Data> ? Data : never
type AnyDefinition = EventDefinition<string, any>

/** What a category says of its streams and events, whichever style its aggregate is written in. */
export interface CategoryOptions<D extends AnyDefinition> {
  /** The category's events: its streams hold these and no others, and these go in its streams only. */
  readonly events: readonly D[]
  /** The data field by which each of its events names its stream's id (`boardId` for `Board$<boardId>`): an event naming another id, or none, is refused. */
  readonly idField?: keyof DataOf<D> & string
  /** Its streams are named after the user who owns them (`Profile$<userId>`): no one else may write one, even before it exists. */
  readonly namedAfterOwner?: boolean
  /** The other streams (of the same user or space) the rule of this event reads, by name; the rule reads them through its context. */
  readonly reads?: (event: RuledEvent<D>) => readonly string[]
  /**
   * Events that may repeat what the state already says: when the command has nothing to do (it
   * makes no event) and the event would change nothing, it is taken rather than refused.
   */
  readonly repeatable?: readonly NoInfer<D>[]
}

export interface ClassRuleOptions<A extends AggregateRoot<any>, D extends AnyDefinition> extends CategoryOptions<D> {
  /** For each event type, the aggregate's command that produced it: `(board, { data }) => board.add(data.cardId, data.title)`. */
  readonly producedBy: { readonly [T in D['type']]: (aggregate: A, event: RuledEvent<Extract<D, { type: T }>>, context: RuleContext) => void }
}

export interface DeciderRuleOptions<Command, D extends AnyDefinition> extends CategoryOptions<D> {
  /** For each event type, the command that produced it, which the decider's `decide` runs: `({ data }) => ({ type: 'Add', … })`. */
  readonly producedBy: { readonly [T in D['type']]: (event: RuledEvent<Extract<D, { type: T }>>, context: RuleContext) => Command }
}

/** One stream's check under way: its state, moved on by each event taken. */
export interface CategoryCheck {
  /** Runs the command that produced `event`; returns the events the command made (the state has moved on by them). */
  produce(event: AppliedEvent, context: RuleContext): readonly CheckedEvent[]
  /** For an event whose command made nothing: applies it, and says whether that left the state unchanged. */
  leavesUnchanged(event: AppliedEvent): boolean
}

/** A category's rules, made by `rulesOf`, for `defineRules`. */
export interface CategoryRules {
  /** The category: its streams are `<name>$<id>` (the class's `aggregateName`, the decider's `name`). */
  readonly name: string
  readonly kind: AggregateKind
  readonly events: readonly EventDefinition[]
  readonly idField: string | undefined
  readonly namedAfterOwner: boolean
  /** Whether an event of this type may repeat what the state says (`repeatable`). */
  repeatable(type: string): boolean
  /** The other streams the rule of this event (its data checked) reads. */
  readsOf(event: CheckedEvent): string[]
  /** Starts checking the stream `<name>$<id>`: its stored events replayed (data checked by `definitions`). */
  open(id: string, stored: readonly CheckedEvent[], definitions: ReadonlyMap<string, EventDefinition>): CategoryCheck
}

/**
 * The rules of a category whose aggregate is a class: each event maps to the command method that
 * produced it.
 *
 * ```ts
 * rulesOf(Board, {
 *   events: [CardAdded, CardMoved],
 *   idField: 'boardId',
 *   producedBy: {
 *     'Board.CardAdded': (board, { data }) => board.add(data.cardId, data.title),
 *     'Board.CardMoved': (board, { data }) => board.move(data.cardId, data.column),
 *   },
 * })
 * ```
 */
export function rulesOf<A extends AggregateRoot<any>, D extends AnyDefinition>(kind: AggregateType<A>, options: ClassRuleOptions<A, D>): CategoryRules
// Its `const`: a command written as an object literal keeps its `type: 'Add'` (else widened to string before it meets the decider's union).
/** The rules of a category whose aggregate is a decider: each event maps to the command that produced it, run through `decide`. */
export function rulesOf<State, const Command, D extends AnyDefinition>(kind: Decider<State, Command, any>, options: DeciderRuleOptions<Command, D>): CategoryRules
export function rulesOf(kind: AggregateKind, options: CategoryOptions<AnyDefinition> & { producedBy: Record<string, (...args: any[]) => unknown> }): CategoryRules {
  const name = nameOf(kind)
  if (typeof name !== 'string' || name.length === 0 || name.includes('$')) throw new TypeError(`A category's name must be a non-empty string without "$"; ${JSON.stringify(name)} is not.`)
  const types = new Set<string>()
  for (const definition of options.events ?? []) {
    if (typeof definition?.type !== 'string') throw new TypeError(`${name}'s events must be event definitions (defineEvent).`)
    if (types.has(definition.type)) throw new TypeError(`${name} lists ${definition.type} twice.`)
    types.add(definition.type)
    if (typeof options.producedBy?.[definition.type] !== 'function') throw new TypeError(`${name} says of ${definition.type} no command that produced it: add it to producedBy.`)
  }
  if (types.size === 0) throw new TypeError(`${name}'s rules name no events.`)
  for (const type of Object.keys(options.producedBy)) if (!types.has(type)) throw new TypeError(`${name}'s producedBy names ${type}, which is not one of its events.`)
  const repeatable = new Set((options.repeatable ?? []).map((definition) => definition.type))
  for (const type of repeatable) if (!types.has(type)) throw new TypeError(`${name}'s repeatable names ${type}, which is not one of its events.`)
  if (options.idField !== undefined && (typeof options.idField !== 'string' || options.idField.length === 0)) throw new TypeError(`${name}'s idField must be a data field's name.`)

  const producedBy = options.producedBy
  const command = (event: AppliedEvent) => producedBy[event.type] as (...args: any[]) => unknown
  return Object.freeze({
    name,
    kind,
    events: Object.freeze([...options.events]),
    idField: options.idField,
    namedAfterOwner: options.namedAfterOwner ?? false,
    repeatable: (type: string) => repeatable.has(type),
    readsOf: (event: CheckedEvent) => (options.reads === undefined ? [] : [...options.reads(event as never)]),
    open:
      typeof kind === 'function'
        ? (id: string, stored: readonly CheckedEvent[]) => classCheck(replayed(kind, id, stored), command)
        : (id: string, stored: readonly CheckedEvent[], definitions: ReadonlyMap<string, EventDefinition>) =>
            deciderCheck(kind, replayed(kind, id, stored, definitions), command),
  })
}

function classCheck(aggregate: AggregateRoot<any>, command: (event: AppliedEvent) => (...args: any[]) => unknown): CategoryCheck {
  return {
    produce(event, context) {
      const before = aggregate.unpublishedEvents.length
      command(event)(aggregate, event, context)
      return aggregate.unpublishedEvents.slice(before)
    },
    leavesUnchanged(event) {
      // A copy: a handler that changes the state in place must not make any change look like none.
      const before = structuredClone(aggregate.snapshotState())
      aggregate.replay({ ...event, metadata: {}, globalPosition: 0 } as never)
      return sameData(aggregate.snapshotState(), before)
    },
  }
}

function deciderCheck(decider: Decider<unknown, unknown, any>, initial: unknown, command: (event: AppliedEvent) => (...args: any[]) => unknown): CategoryCheck {
  let state = initial
  return {
    produce(event, context) {
      const made = decideEvents(decider, command(event)(event, context), state)
      state = evolveAll(decider, state, made)
      return made
    },
    leavesUnchanged(event) {
      const next = decider.evolve(state, event)
      const unchanged = sameData(next, state)
      state = next
      return unchanged
    },
  }
}
