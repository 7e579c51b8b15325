// Settling: every device online on a network that loses nothing, then rounds of "each device syncs
// once, in turn" until none has anything left to do. A device is done when its last cycle went
// through (online, no problem), nothing of it waits, it pulled up to its user's head on the
// server, and it has looked at every event of its log. No sleeps: the rounds are the clock.
import { SYNC_STATE } from '..'
import { SyncDidNotSettleError } from './errors'
import type { SimulatedDevice } from './SimulatedDevice'
import type { SimulatedUser } from './SimulatedUser'

export interface SettleOptions {
  /** Rounds after which sync counts as never settling (default 10). */
  maxRounds?: number
}

export interface Settled {
  /** The rounds it took (at least 1). */
  rounds: number
}

export const DEFAULT_MAX_ROUNDS = 10

export async function settle(users: readonly SimulatedUser[], options: SettleOptions = {}): Promise<Settled> {
  const maxRounds = options.maxRounds ?? DEFAULT_MAX_ROUNDS
  const devices = users.flatMap((user) => user.devices.filter((device) => !device.closed))
  for (const device of devices) {
    device.goOnline()
    device.keepAnswers()
  }
  let waiting: string[] = []
  for (let round = 1; round <= maxRounds; round++) {
    for (const device of devices) await device.sync()
    waiting = await stillWaiting(users)
    if (waiting.length === 0) return { rounds: round }
  }
  throw new SyncDidNotSettleError(maxRounds, waiting)
}

/** What keeps each device from being settled, one line per device that is not. */
export async function stillWaiting(users: readonly SimulatedUser[]): Promise<string[]> {
  const waiting: string[] = []
  for (const user of users) {
    const devices = user.devices.filter((device) => !device.closed)
    if (devices.length === 0) continue
    const head = await user.serverHead()
    for (const device of devices) {
      const why = await whyWaiting(device, head)
      if (why !== undefined) waiting.push(`${device.name}: ${why}`)
    }
  }
  return waiting
}

/** Why the device is not settled with its user's head at `head`; undefined when it is. */
export async function whyWaiting(device: SimulatedDevice, head: number): Promise<string | undefined> {
  const status = device.engine.status
  const reasons: string[] = []
  if (status.pending > 0) {
    const commits = status.pendingCommits.map((commit) => `${commit.stream}: ${commit.types.join(', ')}`).join('; ')
    reasons.push(`${status.pending} change${status.pending === 1 ? '' : 's'} waiting (${commits})`)
  }
  if (status.problem !== null) reasons.push(`a problem, ${status.problem.code}: ${status.problem.message}`)
  if (status.connection !== 'online') reasons.push(`its last sync ended ${status.connection}${status.lastPush?.ok === false ? ` (last push: ${status.lastPush.summary})` : ''}`)
  // The stored cursor, not the status's: a new engine's status says 0 until its first pull brings events.
  const cursor = await storedCursor(device)
  if (cursor !== head) reasons.push(`pulled up to ${cursor} of the server's ${head}`)
  const last = (await device.store.read.last())?.globalPosition ?? 0
  if (status.scanned < last) reasons.push(`looked for local changes up to ${status.scanned} of ${last}`)
  return reasons.length === 0 ? undefined : reasons.join(', ')
}

/** How far the device has pulled, as sync's tables keep it. */
async function storedCursor(device: SimulatedDevice): Promise<number> {
  const row = await device.store.db.table<{ key: string; value: unknown }, string>(SYNC_STATE).get('cursor')
  return typeof row?.value === 'number' ? row.value : 0
}
