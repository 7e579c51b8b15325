import type { EventStore, RecordedEvent } from '../../eventstore'

export interface Related {
  cause: RecordedEvent | undefined
  /** Events it caused (their causationId is its id). */
  children: RecordedEvent[]
  /** Every event of its correlation that was looked at, in log order (it included). */
  correlation: RecordedEvent[]
  /** False when only a window around the event was searched. */
  complete: boolean
}

export interface CorrelationNode {
  event: RecordedEvent
  children: CorrelationNode[]
}

/**
 * Its cause, what it caused and its correlation. The log has no index on correlation or
 * causation, so this reads a window of `around` events on each side (what an event caused comes
 * after it, usually close by), plus the correlation's root; `whole` reads the entire log instead.
 */
export async function findRelated(store: EventStore, event: RecordedEvent, options: { around?: number; whole?: boolean } = {}): Promise<Related> {
  const around = options.around ?? 2000
  const { correlationId, causationId } = event.metadata
  const [cause, root, nearby] = await Promise.all([
    typeof causationId === 'string' ? store.read.event(causationId) : undefined,
    correlationId && correlationId !== event.eventId ? store.read.event(correlationId) : undefined,
    options.whole ? readWhole(store, event) : readAround(store, event, around),
  ])
  const byId = new Map<string, RecordedEvent>()
  for (const e of [...nearby.events, ...(root ? [root] : []), event]) {
    if (e.metadata.correlationId === correlationId || e.eventId === event.eventId) byId.set(e.eventId, e)
  }
  const correlation = [...byId.values()].sort((a, b) => a.globalPosition - b.globalPosition)
  const children = nearby.events.filter((e) => e.metadata.causationId === event.eventId).sort((a, b) => a.globalPosition - b.globalPosition)
  return { cause, children, correlation, complete: nearby.complete }
}

/** The correlation as a forest by causation: roots are events whose cause is not among them. */
export function correlationTree(events: readonly RecordedEvent[]): CorrelationNode[] {
  const nodes = new Map(events.map((event) => [event.eventId, { event, children: [] as CorrelationNode[] }]))
  const roots: CorrelationNode[] = []
  for (const node of nodes.values()) {
    const parent = typeof node.event.metadata.causationId === 'string' ? nodes.get(node.event.metadata.causationId) : undefined
    if (parent && parent !== node) parent.children.push(node)
    else roots.push(node)
  }
  return roots
}

async function readAround(store: EventStore, event: RecordedEvent, around: number) {
  const [before, after] = await Promise.all([
    store.read.backward().from(event.eventId).limit(around).toArray(),
    store.read.from(event.eventId).limit(around).toArray(),
  ])
  return { events: [...before, ...after], complete: before.length < around && after.length < around }
}

async function readWhole(store: EventStore, event: RecordedEvent) {
  const events: RecordedEvent[] = []
  const { correlationId } = event.metadata
  for await (const batch of store.read.inBatches(5000)) {
    for (const e of batch) if (e.metadata.correlationId === correlationId || e.metadata.causationId === event.eventId) events.push(e)
  }
  return { events, complete: true }
}
