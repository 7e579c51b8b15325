import { typeOf, type EventDefinition, type RecordedEvent } from './Event'
import { EventUpcastError } from '../errors'

/** Turns data stored at `fromVersion` into the shape of `fromVersion + 1`. */
export interface Upcaster {
  readonly type: string
  readonly fromVersion: number
  readonly upcast: (data: any, event: RecordedEvent) => unknown
}

/**
 * One step of an event type's upcasting. Given the event's definition, the step's result must
 * have the definition's data (the step into the current shape): `upcaster(Priced, 2, (v2: V2) => …)`.
 * A step into an intermediate shape names it: `upcaster<V2>(Priced, 1, (v1: V1) => …)`. Given a
 * type name, the result is not checked.
 */
export function upcaster<Data>(
  definition: EventDefinition<string, Data>,
  fromVersion: number,
  upcast: (data: any, event: RecordedEvent) => NoInfer<Data>,
): Upcaster
export function upcaster<To = never>(
  definition: EventDefinition<string, any>,
  fromVersion: number,
  upcast: (data: any, event: RecordedEvent) => NoInfer<To>,
): Upcaster
export function upcaster(type: string, fromVersion: number, upcast: Upcaster['upcast']): Upcaster
export function upcaster(type: EventDefinition<string, any> | string, fromVersion: number, upcast: Upcaster['upcast']): Upcaster {
  return { type: typeOf(type), fromVersion, upcast }
}

/**
 * Old payloads in the current shape, on read: each step takes one version to the next, so a
 * chain 1 → 2 → 3 is two upcasters. Stored records are never rewritten.
 */
export class Upcasters {
  private readonly steps = new Map<string, Map<number, Upcaster['upcast']>>()

  constructor(upcasters: readonly Upcaster[] = []) {
    for (const u of upcasters) this.register(u)
  }

  register(u: Upcaster): void {
    const byVersion = this.steps.get(u.type) ?? new Map<number, Upcaster['upcast']>()
    byVersion.set(u.fromVersion, u.upcast)
    this.steps.set(u.type, byVersion)
  }

  get isEmpty(): boolean {
    return this.steps.size === 0
  }

  apply(event: RecordedEvent): RecordedEvent {
    const byVersion = this.steps.get(event.type)
    if (!byVersion) return event
    let version = typeof event.metadata.schemaVersion === 'number' ? event.metadata.schemaVersion : 1
    let current = event
    for (let step = byVersion.get(version); step; step = byVersion.get(version)) {
      try {
        current = { ...current, data: step(current.data, current) }
      } catch (error) {
        throw new EventUpcastError(event.eventId, event.type, version, error)
      }
      version += 1
      current = { ...current, metadata: { ...current.metadata, schemaVersion: version } }
    }
    return current
  }
}
