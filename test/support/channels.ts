// A stand-in for the database's BroadcastChannel that holds every notice until the test lets it
// go: another connection's commit heard late, or never.
import type { CommitNotice, StoreChannel } from '../../src/eventstore'

export function heldChannels() {
  const held: CommitNotice[] = []
  const listeners: Array<(event: { data: unknown }) => void> = []
  const channel = (): StoreChannel => ({
    postMessage: (message) => void held.push(message),
    addEventListener: (_type, listener) => void listeners.push(listener),
    close: () => undefined,
  })
  /** Delivers the held notices to every connection made with `channel` (each ignores its own). */
  const release = () => {
    for (const data of held.splice(0)) for (const listener of [...listeners]) listener({ data })
  }
  return { channel, held, release }
}
