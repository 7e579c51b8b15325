// The peers bench page: opens every library on its own fresh database, seeds the same log into
// each, and runs the three workloads on all of them, round by round, the libraries' order
// rotated each round. The timing happens here; statistics and the table are run.mjs's business.
import { openDexie } from './libs/dexie'
import { openKiroku } from './libs/kiroku'
import { openPouchdb } from './libs/pouchdb'
import { openRaw } from './libs/raw'
import { openRxdb } from './libs/rxdb'
import { makeLog, newEvent, PER_STREAM, streamName, VersionConflict, worth, type Peer, type PeerEvent } from './shape'

export const PEERS = {
  kiroku: openKiroku,
  raw: openRaw,
  dexie: openDexie,
  rxdb: openRxdb,
  pouchdb: openPouchdb,
} as const
export type PeerId = keyof typeof PEERS

export interface SetupOptions {
  peers: PeerId[]
  streams: number
}

export interface SetupReport {
  events: number
  /** How long each peer's bulk seeding took, then its first (untimed) read of the whole log. */
  seedMs: Record<string, number>
  settleMs: Record<string, number>
  names: Record<string, string>
}

export interface WorkloadOptions {
  rounds: number
  warmup: number
}

/** Samples in milliseconds, per peer id. */
export type Samples = Record<string, number[]>

export interface PeersPage {
  setup(options: SetupOptions): Promise<SetupReport>
  read(options: WorkloadOptions): Promise<Samples>
  catchUp(options: WorkloadOptions & { page: number }): Promise<Samples>
  command(options: WorkloadOptions): Promise<Samples>
  dispose(): Promise<void>
  info(): { userAgent: string; crossOriginIsolated: boolean }
}

declare global {
  interface Window {
    kirokuPeers?: PeersPage
  }
}

const now = () => performance.now()
const log = (...parts: unknown[]) => console.log(...parts)

let opened: [PeerId, Peer][] = []
let streams = 0
let total = 0
let totalWorth = 0
const streamWorth = new Map<string, number>()
/** Each stream's version, as every peer must have it. */
const versions = new Map<string, number>()

/** The peers in the order they run in round `round`: rotated, so that none always goes first. */
const rotated = (round: number) => opened.map((_, i) => opened[(i + round) % opened.length]!)

function check(condition: boolean, message: () => string): asserts condition {
  if (!condition) throw new Error(message())
}

async function setup({ peers, streams: count }: SetupOptions): Promise<SetupReport> {
  const events = makeLog(count)
  streams = count
  total = events.length
  totalWorth = worth(events)
  streamWorth.clear()
  versions.clear()
  for (const event of events) streamWorth.set(event.stream, (streamWorth.get(event.stream) ?? 0) + event.data.quantity * event.data.price)
  for (let s = 0; s < count; s++) versions.set(streamName(s), PER_STREAM - 1)
  const report: SetupReport = { events: total, seedMs: {}, settleMs: {}, names: {} }
  const stamp = Date.now().toString(36)
  for (const id of peers) {
    const peer = await PEERS[id](`kiroku-peers-${id}-${stamp}`)
    opened.push([id, peer])
    report.names[id] = peer.name
    let start = now()
    await peer.seed(events)
    report.seedMs[id] = now() - start
    // The first read of freshly written data pays for the storage settling: untimed, and a check.
    start = now()
    await verifiedCatchUp(peer, 500)
    report.settleMs[id] = now() - start
    log(`${peer.name}: seeded ${total.toLocaleString('en-US')} events in ${(report.seedMs[id] / 1000).toFixed(1)} s, read back in ${(report.settleMs[id] / 1000).toFixed(1)} s`)
  }
  return report
}

async function verifiedCatchUp(peer: Peer, size: number): Promise<void> {
  let last = 0
  let sum = 0
  let ordered = true
  const seen = await peer.catchUp(size, (page) => {
    for (const event of page) {
      if (!(event.globalPosition > last)) ordered = false
      last = event.globalPosition
      sum += event.data.quantity * event.data.price
    }
  })
  check(seen === total && sum === totalWorth && ordered, () => `${peer.name} catch-up: saw ${seen} of ${total} events, worth ${sum} of ${totalWorth}, ${ordered ? 'in' : 'out of'} global order`)
}

function verifyStream(peer: Peer, stream: string, events: readonly PeerEvent[]): void {
  const expected = versions.get(stream)! + 1
  const inOrder = events.every((event, i) => event.position === i && event.stream === stream)
  const sum = worth(events)
  check(events.length === expected && inOrder && sum === streamWorth.get(stream), () => `${peer.name} read ${stream}: ${events.length} of ${expected} events, worth ${sum} of ${streamWorth.get(stream)}, ${inOrder ? 'in' : 'out of'} order`)
}

async function rounds(options: WorkloadOptions, label: string, one: (peer: Peer, round: number) => Promise<number>, afterRound?: (round: number) => void): Promise<Samples> {
  const samples: Samples = Object.fromEntries(opened.map(([id]) => [id, []]))
  for (let round = 0; round < options.warmup + options.rounds; round++) {
    for (const [id, peer] of rotated(round)) {
      const ms = await one(peer, round)
      if (round >= options.warmup) samples[id]!.push(ms)
    }
    afterRound?.(round)
    if ((round + 1) % Math.max(1, Math.floor((options.warmup + options.rounds) / 4)) === 0) log(`${label}: round ${round + 1}/${options.warmup + options.rounds}`)
  }
  return samples
}

/** (2) One 1,000-event stream a round, from the first half of the streams, the same for every peer. */
function read(options: WorkloadOptions): Promise<Samples> {
  return rounds(options, 'read', async (peer, round) => {
    const stream = streamName(round % Math.floor(streams / 2))
    let events: PeerEvent[] = []
    const start = now()
    events = await peer.readStream(stream)
    const ms = now() - start
    verifyStream(peer, stream, events)
    return ms
  })
}

/** (3) The whole log in global order, `page` events a page. */
function catchUp(options: WorkloadOptions & { page: number }): Promise<Samples> {
  return rounds(options, 'catch-up', async (peer) => {
    const start = now()
    await verifiedCatchUp(peer, options.page)
    return now() - start
  })
}

/**
 * (1) A command: read the stream's version, then append one event expecting it. Each round
 * targets the next stream of the second half (the first half is what `read` reads), the same
 * stream for every peer; afterwards every peer must refuse an append at a stale version.
 */
async function command(options: WorkloadOptions): Promise<Samples> {
  const half = Math.floor(streams / 2)
  const target = (round: number) => half + (round % (streams - half))
  const samples = await rounds(options, 'command', async (peer, round) => {
    const s = target(round)
    const stream = streamName(s)
    const event = newEvent(s, round)
    const start = now()
    const version = await peer.version(stream)
    await peer.append(stream, version, event)
    const ms = now() - start
    check(version === versions.get(stream), () => `${peer.name} ${stream}: version ${version}, expected ${versions.get(stream)}`)
    return ms
  }, (round) => {
    // Every peer appended once to this round's stream: its version moves on for all of them.
    const stream = streamName(target(round))
    versions.set(stream, versions.get(stream)! + 1)
  })
  for (const [, peer] of opened) {
    const stream = streamName(target(0))
    const version = await peer.version(stream)
    check(version === versions.get(stream), () => `${peer.name} ${stream}: at version ${version} after the commands, expected ${versions.get(stream)}`)
    const refused = await peer.append(stream, version - 1, newEvent(target(0), 0)).then(
      () => false,
      (error: unknown) => error instanceof VersionConflict,
    )
    check(refused, () => `${peer.name} accepted an append at a stale version of ${stream}`)
  }
  return samples
}

async function dispose(): Promise<void> {
  for (const [, peer] of opened) await peer.dispose()
  opened = []
}

window.kirokuPeers = {
  setup,
  read,
  catchUp,
  command,
  dispose,
  info: () => ({ userAgent: navigator.userAgent, crossOriginIsolated: self.crossOriginIsolated }),
}
