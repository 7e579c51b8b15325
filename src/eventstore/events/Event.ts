import { InvalidEventDataError } from '../errors'
import type { InferOutput, StandardSchemaV1 } from './StandardSchema'

/** Free-form metadata given by callers; the store adds correlationId, timestamp and validAt. */
export type Metadata = Record<string, unknown>

export interface EventMetadata {
  correlationId: string
  causationId?: string
  timestamp: Date
  validAt: Date
  [key: string]: unknown
}

/** An event not yet stored. */
export interface NewEvent<Type extends string = string, Data = unknown> {
  readonly eventId: string
  readonly type: Type
  readonly data: Data
  readonly metadata: Metadata
}

/** An event read back from the store. */
export interface RecordedEvent<Type extends string = string, Data = unknown> {
  readonly eventId: string
  readonly type: Type
  readonly data: Data
  readonly metadata: EventMetadata
  readonly globalPosition: number
}

export interface EventOptions {
  eventId?: string
  metadata?: Metadata
}

export interface EventDefinition<Type extends string = string, Data = unknown> {
  (data: Data, options?: EventOptions): NewEvent<Type, Data>
  readonly type: Type
  /** The shape version of this type's data; older stored versions are upcast on read. */
  readonly version: number
  /** Checks data against the definition's schema (identity without one); throws InvalidEventDataError naming the event. */
  parse(data: unknown, eventId?: string): Data
  /** Type guard: narrows a recorded (or new) event to this definition's type and data. */
  is<E extends { readonly type: string }>(event: E | null | undefined): event is E & { readonly type: Type; readonly data: Data }
}

/** Data of the events an EventDefinition makes: `EventData<typeof ItemAdded>`. */
export type EventData<D> = D extends EventDefinition<string, infer Data> ? Data : never

/**
 * The recorded form of a definition's events: `EventOf<typeof ItemAdded>`. It distributes over a
 * union, so `EventOf<(typeof list)[number]>` is the union a handler of `list` gets; a type name
 * given as a string says nothing of the data, so it stays a plain `RecordedEvent`.
 */
export type EventOf<D> = D extends EventDefinition<infer Type, infer Data>
  ? RecordedEvent<Type, UnknownIfAny<Data>>
  : D extends string
    ? RecordedEvent
    : never

/** An event type named by its definition (typed) or by its type name (untyped). */
export type EventTypeRef = EventDefinition<string, any> | string

/** A new event as stored: `Recorded<NewEvent<'Cart.ItemAdded', Data>>` is `RecordedEvent<'Cart.ItemAdded', Data>`. */
export type Recorded<E> = E extends NewEvent<infer Type, infer Data> ? RecordedEvent<Type, Data> : never

// `EventTypeRef` admits any definition, so a ref not known more precisely would hand out `any` data.
type UnknownIfAny<T> = 0 extends 1 & T ? unknown : T

export const typeOf = (ref: EventTypeRef): string => (typeof ref === 'string' ? ref : ref.type)


/**
 * Declares an event type. With a Standard Schema (zod, valibot, …) the data is checked when the
 * event is created, and an invalid payload throws InvalidEventDataError before anything is stored.
 */
export function defineEvent<Data, Type extends string = string>(type: Type, options?: { version?: number }): EventDefinition<Type, Data>
export function defineEvent<S extends StandardSchemaV1, Type extends string = string>(
  type: Type,
  options: { schema: S; version?: number },
): EventDefinition<Type, InferOutput<S>>
export function defineEvent(type: string, options?: { schema?: StandardSchemaV1; version?: number }): EventDefinition {
  if (typeof type !== 'string' || type.length === 0) {
    throw new InvalidEventDataError(undefined, 'an event type must be a non-empty string')
  }
  const schema = options?.schema
  const version = options?.version ?? 1
  if (!Number.isSafeInteger(version) || version < 1) {
    throw new InvalidEventDataError(type, 'an event version must be a whole number from 1 up')
  }
  // Version 1 is implied, so events of types that never changed carry no version at all.
  const stamp = version > 1 ? { schemaVersion: version } : {}
  const create = (data: unknown, eventOptions: EventOptions = {}): NewEvent => ({
    eventId: eventOptions.eventId ?? crypto.randomUUID(),
    type,
    data: schema ? validate(type, schema, data) : data,
    metadata: { ...eventOptions.metadata, ...stamp },
  })
  return Object.assign(create, {
    type,
    version,
    parse: (data: unknown, eventId?: string) => (schema ? validate(type, schema, data, eventId) : data),
    is: (event: { type: string } | null | undefined) => event?.type === type,
  }) as EventDefinition
}

function validate(type: string, schema: StandardSchemaV1, data: unknown, eventId?: string): unknown {
  const result = schema['~standard'].validate(data)
  if (result instanceof Promise) {
    throw new InvalidEventDataError(type, 'its schema validates asynchronously; event schemas must be synchronous', [], eventId === undefined ? {} : { eventId })
  }
  if (result.issues) {
    const issues = result.issues.map((issue) => {
      const path = issue.path?.map((p) => String(typeof p === 'object' ? p.key : p)).join('.')
      return path ? `${path}: ${issue.message}` : issue.message
    })
    throw new InvalidEventDataError(type, 'its data does not match the schema', issues, eventId === undefined ? {} : { eventId })
  }
  return result.value
}
