// The world's own moves as plain data, for a property test's generator to make (fast-check's
// `fc.record`, `fc.constantFrom`): the network and the syncing; the app's commands are the test's.
import type { AnswerKind } from './DeviceNetwork'
import type { SimulatedDevice } from './SimulatedDevice'

/** A device by its index among the world's devices (taken modulo their count, so any whole number does) or by its name (`alice/phone`). */
export type DeviceRef = number | string

export type WorldStep =
  | { do: 'go offline'; device: DeviceRef }
  | { do: 'go online'; device: DeviceRef }
  | { do: 'toggle network'; device: DeviceRef }
  /** These devices sync at once (concurrently); offline ones fail as a real device's would. */
  | { do: 'sync'; devices: readonly DeviceRef[] }
  /** The device comes online and syncs; the answer to its next request of this kind (`push` by default) is lost after the server acted on it. */
  | { do: 'sync, losing the answer'; device: DeviceRef; of?: AnswerKind }
  /** The tab that synced closes and another takes over: a new engine on the same store. */
  | { do: 'reload'; device: DeviceRef }

/** Runs a step on the world's devices. */
export async function perform(step: WorldStep, pick: (ref: DeviceRef) => SimulatedDevice): Promise<void> {
  switch (step.do) {
    case 'go offline':
      return pick(step.device).goOffline()
    case 'go online':
      return pick(step.device).goOnline()
    case 'toggle network': {
      const device = pick(step.device)
      device.network = device.network === 'online' ? 'offline' : 'online'
      return
    }
    case 'sync': {
      const devices = [...new Set(step.devices.map(pick))]
      await Promise.all(devices.map((device) => device.sync()))
      return
    }
    case 'sync, losing the answer': {
      const device = pick(step.device)
      device.goOnline()
      const before = device.answersToLose
      device.loseNextAnswer(step.of ?? 'push')
      await device.sync()
      // Nothing of that kind was sent (nothing waited to be pushed): there was no answer to lose.
      if (device.answersToLose > before) device.keepLastAnswer()
      return
    }
    case 'reload':
      return pick(step.device).reload()
  }
}
