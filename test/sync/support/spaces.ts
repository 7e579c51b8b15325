// People who share spaces, against the in-process server of devices.ts: each signs up, manages
// spaces through a SpacesClient of its own and opens devices; a space is made by one and joined by
// the others through an invitation, as the shop's "Share cart" link does.
import { AggregateRepository } from '../../../src/eventstore'
import { SpacesClient, type Fetch, type PulledEvent, type SpaceRole, type SpaceSummary, type SyncTransport } from '../../../src/sync'
import { openDevice, type Device, type TestServer } from './devices'

const BASE = 'http://kiroku.test'

export interface Person {
  readonly userId: string
  readonly cookie: string
  /** The person's calls of spaces (make, invite, accept, members, remove). */
  readonly spaces: SpacesClient
  /** A new device signed in as this person. */
  device(name: string): Promise<Device>
}

/** Signs a new person up. */
export async function person(server: TestServer, name: string): Promise<Person> {
  const { userId, cookie } = await server.signUp(`${name}-${crypto.randomUUID()}@example.com`)
  const fetch: Fetch = (url, init) => {
    const headers = new Headers(init?.headers)
    headers.set('cookie', cookie)
    return Promise.resolve(server.app.request(url, { ...init, headers }))
  }
  return { userId, cookie, spaces: new SpacesClient({ baseUrl: BASE, fetch }), device: (device) => openDevice(server, cookie, `${name}'s ${device}`) }
}

/** A space `owner` makes, joined by each of `members` with its role through an invitation. */
export async function sharedSpace(owner: Person, name: string, members: ReadonlyArray<readonly [Person, Exclude<SpaceRole, 'owner'>]>): Promise<SpaceSummary> {
  const space = await owner.spaces.create(name)
  for (const [member, role] of members) {
    const { token } = await owner.spaces.invite(space.id, { role, maxUses: 1 })
    await member.spaces.accept(token)
  }
  return space
}

/** Runs a command on the device with every event it writes named as the space's (`metadata.spaceId`). */
export function inSpace<T>(device: Device, spaceId: string, command: (repository: AggregateRepository) => Promise<T>): Promise<T> {
  return device.store.withMetadata({ spaceId }, (scoped) => command(new AggregateRepository(scoped)))
}

/** Every event the server holds in the space (the personal space when `space` is undefined), page by page. */
export async function pulledAll(transport: SyncTransport, space?: string): Promise<PulledEvent[]> {
  const events: PulledEvent[] = []
  for (;;) {
    const page = await transport.pull(events.at(-1)?.position ?? 0, 1000, space)
    events.push(...page.events)
    if (!page.hasMore || page.events.length === 0) return events
  }
}

/** The server's events of one stream, in stream order, as Device.streams() shows a device's. */
export function serverStream(events: readonly PulledEvent[], stream: string): Array<Pick<PulledEvent, 'eventId' | 'type' | 'data'>> {
  return events
    .filter((event) => event.stream === stream)
    .sort((a, b) => a.streamPosition - b.streamPosition)
    .map(({ eventId, type, data }) => ({ eventId, type, data }))
}
