// A user of the app as the server knows them, with the devices the test gave them. Their devices
// share the account; the world pulls the user's log through the protocol with the same sign-in.
import type { PulledEvent } from '..'
import type { ServerConnection } from './ServerConnection'
import type { DeviceEngineOptions, PlacedEvent, SimulatedDevice } from './SimulatedDevice'

export interface DeviceOptions {
  /** This device's engine settings, over the world's. */
  engine?: DeviceEngineOptions
}

/** @internal How a user's device is made (by the world). */
export type OpenDevice = (user: SimulatedUser, name: string, options: DeviceOptions & { fresh?: boolean }) => Promise<SimulatedDevice>

export class SimulatedUser {
  /** Their devices, in the order they were made. */
  readonly devices: SimulatedDevice[] = []

  constructor(
    /** The name the test gave. */
    readonly name: string,
    /** Their id on the server (the account's, or the one `signIn.headers` was given). */
    readonly id: string,
    /** Their account's email (the protocol's accounts only). */
    readonly email: string | undefined,
    /** @internal What every request of theirs carries. */
    readonly headers: Readonly<Record<string, string>>,
    private readonly connection: ServerConnection,
    private readonly open: OpenDevice,
  ) {}

  /** A new device of theirs (`name` unique among their devices): a fresh store, online, not synced yet. */
  async device(name: string, options: DeviceOptions = {}): Promise<SimulatedDevice> {
    if (this.devices.some((device) => device.name === `${this.name}/${name}`)) throw new TypeError(`${this.name} has a device named ${name} already.`)
    const device = await this.open(this, name, options)
    this.devices.push(device)
    return device
  }

  /** Their log on the server, pulled through the protocol: every event in position order, and their head. */
  serverLog(): Promise<{ events: PulledEvent[]; head: number }> {
    return this.connection.log({ ...this.headers })
  }

  /** Their streams on the server, by name, each event at its stream position. */
  async serverStreams(): Promise<Map<string, PlacedEvent[]>> {
    return streamsOfLog((await this.serverLog()).events)
  }

  /** Their head on the server (0 before their first event). */
  async serverHead(): Promise<number> {
    return (await this.connection.pull({ ...this.headers }, 0, 1)).head
  }
}

/** A pulled log as streams, each event at its stream position, streams by name. */
export function streamsOfLog(events: readonly PulledEvent[]): Map<string, PlacedEvent[]> {
  const streams = new Map<string, PlacedEvent[]>()
  for (const { stream, streamPosition, eventId, type, data } of events) {
    streams.set(stream, [...(streams.get(stream) ?? []), { position: streamPosition, eventId, type, data }])
  }
  for (const events of streams.values()) events.sort((a, b) => a.position - b.position)
  return new Map([...streams].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
}
