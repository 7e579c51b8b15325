// An app's rules, written once: its categories (one per aggregate, class or decider) and what each
// says of its streams. The sync server checks pushed commits with them; the browser's rebase checks
// pending events with them; both by the app's own commands, never a copy of them.
import { streamOf, type AppliedEvent } from '../aggregates'
import { InvalidEventDataError } from '../errors'
import type { EventDefinition } from '../events'
import { EventDataRefusedError, EventNotOfCategoryError, EventNotProducedError, EventOutOfPlaceError, RuleRefusalError, StreamIdMismatchError, UndeclaredReadError } from './errors'
import { isAppError } from './isAppError'
import { replayed } from './replayed'
import type { CheckedEvent, Rules } from './Rules'
import type { CategoryCheck, CategoryRules, RuleContext } from './rulesOf'
import { differenceOf } from './sameData'

export interface RulesOptions {
  /** One per aggregate kind: `rulesOf(Board, { … })`, `rulesOf(tallyDecider, { … })`. */
  readonly categories: readonly CategoryRules[]
  /** Event definitions the app writes besides its categories' (in streams no category governs): known, never checked. */
  readonly events?: readonly EventDefinition<string, any>[]
  /**
   * Whether an error a command threw is the app refusing the event (its domain error). The rules'
   * own refusals (RuleRefusalError) always are. Default: an instance of the app's own subclass
   * of `EventStoreError`; a TypeError, a plain Error or one of the store's own errors is a fault.
   */
  readonly isRefusal?: (error: unknown) => boolean
}

/** Where an event of a category belongs, by its id field: `Board$b1`, or `Board$<its boardId>` when it names none. */
function homeOf(category: CategoryRules, event: CheckedEvent): string {
  if (category.idField === undefined) return `${category.name}$<id>`
  const named = idNamedBy(event, category.idField)
  return named === undefined || named.length === 0 ? `${category.name}$<its ${category.idField}>` : `${category.name}$${named}`
}

function idNamedBy(event: CheckedEvent, idField: string): string | undefined {
  const named = typeof event.data === 'object' && event.data !== null ? (event.data as Record<string, unknown>)[idField] : undefined
  return typeof named === 'string' ? named : undefined
}

/** Why the command's events are not the one event given; undefined when they are exactly it. */
function mismatchOf(made: readonly CheckedEvent[], event: CheckedEvent): string | undefined {
  if (made.length === 0) return 'the command makes no event here'
  if (made.length > 1) return `the command makes ${made.length} events here: ${made.map((e) => e.type).join(', ')}`
  const [only] = made as [CheckedEvent]
  if (only.type !== event.type) return `the command makes ${only.type}`
  const difference = differenceOf(only.data, event.data)
  return difference === undefined ? undefined : `the command makes ${difference}`
}

export function defineRules(options: RulesOptions): Rules {
  const categories = new Map<string, CategoryRules>()
  const categoryOfType = new Map<string, CategoryRules>()
  const definitions = new Map<string, EventDefinition>()
  const define = (definition: EventDefinition) => {
    const known = definitions.get(definition.type)
    if (known !== undefined && known !== definition) throw new TypeError(`${definition.type} has two definitions: give the rules one.`)
    definitions.set(definition.type, definition)
  }
  for (const category of options.categories) {
    if (categories.has(category.name)) throw new TypeError(`The category ${category.name} has rules twice.`)
    categories.set(category.name, category)
    for (const definition of category.events) {
      const other = categoryOfType.get(definition.type)
      if (other !== undefined) throw new TypeError(`${definition.type} is an event of ${other.name} and of ${category.name}: an event belongs to one category.`)
      categoryOfType.set(definition.type, category)
      define(definition)
    }
  }
  for (const definition of options.events ?? []) define(definition)
  const appRefusal = options.isRefusal ?? isAppError

  /** The category and id of a stream named `<Category>$<id>` (a non-empty id) of these rules. */
  const governed = (stream: string): { category: CategoryRules; id: string } | undefined => {
    const at = stream.indexOf('$')
    if (at <= 0 || at === stream.length - 1) return undefined
    const category = categories.get(stream.slice(0, at))
    return category === undefined ? undefined : { category, id: stream.slice(at + 1) }
  }

  /** The event as its rule gets it: its data checked by its definition's schema (a refusal when it fails). */
  const ruled = (category: CategoryRules, stream: string, event: CheckedEvent, index: number): AppliedEvent => {
    try {
      const data = definitions.get(event.type)?.parse(event.data)
      return { eventId: `${stream}+${index}`, type: event.type, data: data === undefined ? event.data : data }
    } catch (error) {
      if (error instanceof InvalidEventDataError) throw new EventDataRefusedError(category.name, event.type, stream, error.issues)
      throw error
    }
  }

  const contextOf = (category: CategoryRules, stream: string, id: string, event: AppliedEvent, streams?: ReadonlyMap<string, readonly CheckedEvent[]>): RuleContext => {
    const declared = new Set(category.readsOf(event))
    const events = (name: string): readonly CheckedEvent[] | undefined => {
      if (!declared.has(name)) throw new UndeclaredReadError(category.name, event.type, name)
      const found = streams?.get(name)
      return found === undefined || found.length === 0 ? undefined : found
    }
    const state = (kind: Parameters<typeof streamOf>[0], otherId: string): unknown => {
      const found = events(streamOf(kind, otherId))
      return found === undefined ? undefined : replayed(kind as never, otherId, found, definitions)
    }
    return { stream, id, events, state } as RuleContext
  }

  return Object.freeze({
    definitions,
    categoryOf: (stream: string) => governed(stream)?.category.name,
    governs: (stream: string, events: readonly CheckedEvent[]) => governed(stream) !== undefined || events.some((event) => categoryOfType.has(event.type)),
    ownerNamedBy(stream: string) {
      const found = governed(stream)
      return found?.category.namedAfterOwner ? found.id : undefined
    },
    reads(stream: string, events: readonly CheckedEvent[]) {
      const found = governed(stream)
      if (found === undefined) return []
      const names = new Set<string>()
      events.forEach((event, index) => {
        if (categoryOfType.get(event.type) !== found.category) return
        let checked: AppliedEvent
        try {
          checked = ruled(found.category, stream, event, index)
        } catch (error) {
          if (error instanceof RuleRefusalError) return // its check refuses it before any rule reads
          throw error
        }
        for (const name of found.category.readsOf(checked)) names.add(name)
      })
      return [...names]
    },
    check(stream: string, stored: readonly CheckedEvent[], events: readonly CheckedEvent[], options: { streams?: ReadonlyMap<string, readonly CheckedEvent[]> } = {}) {
      const found = governed(stream)
      let run: CategoryCheck | undefined
      events.forEach((given, index) => {
        const own = categoryOfType.get(given.type)
        if (own !== undefined && own !== found?.category) throw new EventOutOfPlaceError(own.name, given.type, stream, homeOf(own, given))
        if (found === undefined) return // neither the stream nor the event is any category's: no rule to apply
        const { category, id } = found
        if (own === undefined) throw new EventNotOfCategoryError(category.name, given.type, stream)
        if (category.idField !== undefined) {
          const named = idNamedBy(given, category.idField)
          if (named !== id) throw new StreamIdMismatchError(category.name, given.type, stream, category.idField, named, id)
        }
        const event = ruled(category, stream, given, index)
        // Replayed once, when the first event needs it; each event taken moves it on.
        run ??= category.open(id, stored, definitions)
        const made = run.produce(event, contextOf(category, stream, id, event, options.streams))
        const mismatch = mismatchOf(made, event)
        if (mismatch === undefined) return
        if (made.length === 0 && category.repeatable(event.type) && run.leavesUnchanged(event)) return
        throw new EventNotProducedError(category.name, event.type, stream, mismatch)
      })
    },
    isRefusal: (error: unknown) => error instanceof RuleRefusalError || appRefusal(error),
  })
}
