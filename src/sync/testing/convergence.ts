// What "converged" means (the sync contract's promise once sync settles): every device of a user
// holds the same events of the synced streams at the same stream positions as the server's log,
// with nothing waiting; a fresh device that only pulls holds them too; the app's read models agree
// with that fresh device's; the server stores each event once; and every event a device wrote is
// on the server or in that device's reports, never silently gone.
import type { EventStore } from '../../eventstore'
import type { PulledEvent } from '..'
import { asSent, differenceOf } from './differenceOf'
import type { PlacedEvent, SimulatedDevice } from './SimulatedDevice'
import { streamsOfLog, type SimulatedUser } from './SimulatedUser'
import { whyWaiting } from './settle'

export interface ConvergenceOptions {
  /**
   * The app's view of a device's data (its UI state, a read model table, aggregates loaded):
   * compared, as values, between every device of a user and a fresh device that only pulled.
   * Sort what has no order of its own; Maps and Sets are compared in any order. May be async.
   */
  readModel?: (store: EventStore, device: SimulatedDevice) => unknown | Promise<unknown>
  /** Whether to open, per user, a fresh device that only pulls and compare with it too (default true). */
  freshDevice?: boolean
}

export interface Convergence {
  converged: boolean
  /** What differs, one line each, naming the device, the stream and the position. */
  differences: string[]
  /** By user name: their streams on the server. */
  server: Map<string, Map<string, PlacedEvent[]>>
}

/** @internal Opens a device of `user` that only pulls; the check closes it. */
export type OpenFresh = (user: SimulatedUser) => Promise<SimulatedDevice>

export async function convergenceOf(users: readonly SimulatedUser[], options: ConvergenceOptions, openFresh: OpenFresh): Promise<Convergence> {
  const differences: string[] = []
  const server = new Map<string, Map<string, PlacedEvent[]>>()
  for (const user of users) {
    const devices = user.devices.filter((device) => !device.closed)
    if (devices.length === 0) continue
    const log = await user.serverLog()
    differences.push(...logFaults(user, log.events, log.head))
    const truth = streamsOfLog(log.events)
    server.set(user.name, truth)
    const fresh = options.freshDevice === false ? undefined : await openFresh(user)
    try {
      if (fresh !== undefined) await fresh.sync()
      const all = fresh === undefined ? devices : [...devices, fresh]
      for (const device of all) {
        const why = await whyWaiting(device, log.head)
        if (why !== undefined) differences.push(`${device.name} is not settled: ${why}`)
        differences.push(...streamDifferences(device.name, await device.streams(), truth))
      }
      if (options.readModel !== undefined) differences.push(...(await readModelDifferences(options.readModel, devices, fresh)))
      const stored = new Set(log.events.map((event) => event.eventId))
      for (const device of devices) differences.push(...(await unaccounted(device, stored)))
    } finally {
      await fresh?.close()
    }
  }
  return { converged: differences.length === 0, differences, server }
}

/** What is wrong with the log itself: positions not 1, 2, 3, …, an event stored twice, stream positions with gaps. */
function logFaults(user: SimulatedUser, events: readonly PulledEvent[], head: number): string[] {
  const faults: string[] = []
  const seen = new Set<string>()
  events.forEach((event, index) => {
    if (event.position !== index + 1) faults.push(`the server's log of ${user.name} has position ${event.position} where ${index + 1} belongs`)
    if (seen.has(event.eventId)) faults.push(`the server stores event ${event.eventId} (${event.type}) of ${user.name} more than once`)
    seen.add(event.eventId)
  })
  if (head !== events.length) faults.push(`the server says ${user.name}'s head is ${head}, but their log holds ${events.length} event(s)`)
  for (const [stream, placed] of streamsOfLog(events)) {
    placed.forEach((event, index) => {
      if (event.position !== index) faults.push(`the server's ${stream} of ${user.name} has an event at ${event.position} where ${index} belongs`)
    })
  }
  return faults
}

/** Where a device's streams differ from the server's. */
export function streamDifferences(device: string, held: ReadonlyMap<string, PlacedEvent[]>, truth: ReadonlyMap<string, PlacedEvent[]>): string[] {
  const differences: string[] = []
  for (const stream of truth.keys()) if (!held.has(stream)) differences.push(`${device} lacks ${stream}, which the server holds (${truth.get(stream)?.length} event(s))`)
  for (const [stream, events] of held) {
    const expected = truth.get(stream)
    if (expected === undefined) {
      differences.push(`${device} holds ${stream} (${events.length} event(s)), which the server does not`)
      continue
    }
    for (let position = 0; position < Math.max(events.length, expected.length); position++) {
      const [mine, theirs] = [events[position], expected[position]]
      if (mine === undefined) differences.push(`${device}'s ${stream} ends at ${position - 1}; the server's goes on with ${describe(theirs)} at ${position}`)
      else if (theirs === undefined) differences.push(`${device}'s ${stream} has ${describe(mine)} at ${position}, past the server's last (${expected.length - 1})`)
      else if (mine.eventId !== theirs.eventId || mine.type !== theirs.type) differences.push(`${device}'s ${stream} has ${describe(mine)} at ${position}, the server's ${describe(theirs)}`)
      else {
        const difference = differenceOf(asSent(mine.data), theirs.data, 'data')
        if (difference !== undefined) differences.push(`${device}'s ${stream} at ${position} (${describe(mine)}): ${difference} as on the server`)
      }
      if (mine === undefined || theirs === undefined) break
    }
  }
  return differences
}

async function readModelDifferences(readModel: NonNullable<ConvergenceOptions['readModel']>, devices: readonly SimulatedDevice[], fresh: SimulatedDevice | undefined): Promise<string[]> {
  const reference = fresh ?? (devices[0] as SimulatedDevice)
  const expected = await readModel(reference.store, reference)
  const differences: string[] = []
  for (const device of devices) {
    if (device === reference) continue
    const difference = differenceOf(await readModel(device.store, device), expected)
    if (difference !== undefined) differences.push(`${device.name}'s read model differs from ${fresh === undefined ? reference.name : 'a fresh device'}'s: ${difference}`)
  }
  return differences
}

/** Events the device wrote that are neither stored nor reported, and events reported as not taken that are stored. */
async function unaccounted(device: SimulatedDevice, stored: ReadonlySet<string>): Promise<string[]> {
  const reports = await device.reports()
  const reported = new Set(reports.map((report) => report.eventId))
  const differences: string[] = []
  for (const id of await device.written()) {
    if (!stored.has(id) && !reported.has(id)) differences.push(`${device.name} wrote event ${id}, which is neither on the server nor in its reports`)
  }
  for (const report of reports) {
    if (stored.has(report.eventId)) differences.push(`${device.name} reports ${report.type} ${report.eventId} of ${report.stream} as ${report.kind}, yet the server stores it`)
  }
  return differences
}

const describe = (event: PlacedEvent | undefined): string => (event === undefined ? 'nothing' : `${event.type} ${event.eventId}`)
