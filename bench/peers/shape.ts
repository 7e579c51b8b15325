// What every peer stores and returns: the same event, whatever the library. Each peer adapter
// (kiroku.ts, raw.ts, dexie.ts, rxdb.ts, pouchdb.ts) keeps it in its own layout and hands back
// `PeerEvent`s, so every workload checks the same answer on each side.

export interface LineData {
  cartId: string
  itemId: string
  quantity: number
  price: number
}

/** An event as the workloads see it once it is stored. */
export interface PeerEvent {
  id: string
  type: string
  data: LineData
  metadata: { correlationId: string; timestamp: string }
  stream: string
  /** Its position in its stream: 0, 1, 2, … */
  position: number
  /** Its place in the whole log, growing in commit order. */
  globalPosition: number
}

/** An event about to be appended: everything but the positions the store gives it. */
export type NewPeerEvent = Omit<PeerEvent, 'position' | 'globalPosition'>

/** A stream's version when the append was tried was not the one expected. */
export class VersionConflict extends Error {
  override readonly name = 'VersionConflict'
  constructor(
    readonly stream: string,
    readonly expected: number,
    cause?: unknown,
  ) {
    super(`stream ${stream} is not at version ${expected}`, { cause })
  }
}

/** One library under test, opened on its own fresh database. */
export interface Peer {
  readonly name: string
  /** Writes the events (stream positions in order, streams new) with the library's bulk API; untimed. */
  seed(events: readonly NewPeerEvent[]): Promise<void>
  /** The stream's version: its last position, -1 when it is empty. */
  version(stream: string): Promise<number>
  /** Appends one event if the stream is at `expected`; otherwise rejects with a VersionConflict. */
  append(stream: string, expected: number, event: NewPeerEvent): Promise<void>
  /** A whole stream in stream order. */
  readStream(stream: string): Promise<PeerEvent[]>
  /** The whole log in global order, `size` events a page, one short read each; resolves with how many it saw. */
  catchUp(size: number, onPage: (page: readonly PeerEvent[]) => void): Promise<number>
  /** Closes the library and deletes its database. */
  dispose(): Promise<void>
}

export const STREAMS = 100
export const PER_STREAM = 1_000

export const streamName = (index: number) => `Cart$c${index}`

/**
 * The seeded log: `streams` streams of `perStream` Cart.ItemAdded events each, interleaved one
 * event of each stream after another, so a stream's events are spread over the whole log.
 */
export function makeLog(streams = STREAMS, perStream = PER_STREAM): NewPeerEvent[] {
  const timestamp = new Date().toISOString()
  const events: NewPeerEvent[] = []
  for (let i = 0; i < perStream; i++) {
    for (let s = 0; s < streams; s++) events.push(newEvent(s, events.length, timestamp))
  }
  return events
}

/** A Cart.ItemAdded of about 200 bytes, its line decided by `index`. */
export function newEvent(stream: number, index: number, timestamp = new Date().toISOString()): NewPeerEvent {
  const id = crypto.randomUUID()
  return {
    id,
    type: 'Cart.ItemAdded',
    data: { cartId: `c${stream}`, itemId: `product-${index % 400}`, quantity: 1 + (index % 3), price: 1200 + (index % 50) * 10 },
    metadata: { correlationId: id, timestamp },
    stream: streamName(stream),
  }
}

/** The sum every workload checks: what the events' lines are worth. */
export const worth = (events: readonly { data: LineData }[]) => events.reduce((sum, e) => sum + e.data.quantity * e.data.price, 0)
