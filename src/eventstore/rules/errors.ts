// How an app's rules refuse an event made elsewhere (another device, a push to the server). Every
// refusal is a RuleRefusalError, so one `instanceof` tells a verdict on the event from a fault of
// the app's code; each has a stable `name` and plain fields, and survives postMessage.
import { EventStoreError, registerError } from '../errors'

/**
 * The rules refuse an event: it cannot follow the stream's stored events. The message is fit to
 * show; nothing was written.
 */
export class RuleRefusalError extends EventStoreError {
  override name = 'RuleRefusalError'
  constructor(
    /** The category whose rules refused it (its stream's, or the one its type belongs to). */
    readonly category: string,
    /** The refused event's type. */
    readonly type: string,
    /** The stream it was to be recorded in. */
    readonly stream: string,
    readonly reason: string,
    fields: Record<string, unknown> = {},
  ) {
    super(`A ${type} event cannot be recorded on a ${category}: ${reason}.`, { category, type, stream, reason, ...fields })
  }
}

/** An event of a category outside that category's streams (`<Category>$<id>`). */
export class EventOutOfPlaceError extends RuleRefusalError {
  override name = 'EventOutOfPlaceError'
  constructor(
    category: string,
    type: string,
    stream: string,
    /** Where it belongs: `Board$b1`, or `Board$<its boardId>` when it names no id. */
    readonly home: string,
  ) {
    super(category, type, stream, `its stream is ${home}, not ${stream}`, { home })
  }
}

/** An event whose id field (`idField`) names another stream of its category than its own, or none. */
export class StreamIdMismatchError extends RuleRefusalError {
  override name = 'StreamIdMismatchError'
  constructor(
    category: string,
    type: string,
    stream: string,
    readonly idField: string,
    /** What the event's id field holds (undefined when it names none). */
    readonly named: string | undefined,
    /** The stream's id. */
    readonly id: string,
  ) {
    const noun = category.toLowerCase()
    super(category, type, stream, named === undefined ? `it names no ${noun}` : `it names ${noun} ${named}, not ${id}`, { idField, named, id })
  }
}

/** An event in a category's stream whose type is none of the category's events. */
export class EventNotOfCategoryError extends RuleRefusalError {
  override name = 'EventNotOfCategoryError'
  constructor(category: string, type: string, stream: string) {
    super(category, type, stream, 'it is not one of its events')
  }
}

/** The command the rules map an event to makes something else, or nothing: the app could not have written it. */
export class EventNotProducedError extends RuleRefusalError {
  override name = 'EventNotProducedError'
  constructor(
    category: string,
    type: string,
    stream: string,
    /** How the command's events differ from it. */
    readonly difference: string,
  ) {
    super(category, type, stream, `its command could not have produced it (${difference})`, { difference })
  }
}

/** A new event whose data does not fit its definition's schema. */
export class EventDataRefusedError extends RuleRefusalError {
  override name = 'EventDataRefusedError'
  constructor(
    category: string,
    type: string,
    stream: string,
    readonly issues: readonly string[],
  ) {
    super(category, type, stream, `its data does not match its schema${issues.length ? ` (${issues.join('; ')})` : ''}`, { issues: [...issues] })
  }
}

/**
 * A rule read another stream that its `reads` did not name for that event. A fault of the app's
 * rules, not a verdict: a server hands a rule only the streams `reads` names, so such a rule would
 * refuse there what it takes here.
 */
export class UndeclaredReadError extends EventStoreError {
  override name = 'UndeclaredReadError'
  constructor(
    readonly category: string,
    readonly type: string,
    readonly read: string,
  ) {
    super(`The ${category} rule of ${type} read the stream "${read}", which its reads did not name: add it to the category's reads.`, { category, type, read })
  }
}

const text = (value: unknown): string => String(value)
registerError('RuleRefusalError', (f) => new RuleRefusalError(text(f.category), text(f.type), text(f.stream), text(f.reason)))
registerError('EventOutOfPlaceError', (f) => new EventOutOfPlaceError(text(f.category), text(f.type), text(f.stream), text(f.home)))
registerError(
  'StreamIdMismatchError',
  (f) => new StreamIdMismatchError(text(f.category), text(f.type), text(f.stream), text(f.idField), typeof f.named === 'string' ? f.named : undefined, text(f.id)),
)
registerError('EventNotOfCategoryError', (f) => new EventNotOfCategoryError(text(f.category), text(f.type), text(f.stream)))
registerError('EventNotProducedError', (f) => new EventNotProducedError(text(f.category), text(f.type), text(f.stream), text(f.difference)))
registerError('EventDataRefusedError', (f) => new EventDataRefusedError(text(f.category), text(f.type), text(f.stream), Array.isArray(f.issues) ? f.issues.map(text) : []))
registerError('UndeclaredReadError', (f) => new UndeclaredReadError(text(f.category), text(f.type), text(f.read)))
