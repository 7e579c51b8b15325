// The protocol's live channel (`GET /api/sync/live`, server-sent events) as the engine's LiveChannel.
import type { LiveChannel } from './SyncEngine'

/** Heads from the server over EventSource (the personal space's, each shared space's, and news of memberships), which reconnects by itself (sending Last-Event-ID). */
export function eventSourceLive(url = '/api/sync/live'): LiveChannel {
  return ({ onHead, onState, onSpace, onSpaces }) => {
    if (typeof EventSource === 'undefined') {
      onState('off')
      return () => undefined
    }
    const source = new EventSource(url, { withCredentials: true })
    onState('connecting')
    source.onopen = () => onState('open')
    source.addEventListener('head', (event) => {
      try {
        const head = Number((JSON.parse((event as MessageEvent<string>).data) as { head?: unknown }).head)
        if (Number.isSafeInteger(head) && head >= 0) onHead(head)
      } catch {
        // Not the protocol's data: ignored; the next poll finds the head anyway.
      }
    })
    source.addEventListener('space', (event) => {
      try {
        const { space, head } = JSON.parse((event as MessageEvent<string>).data) as { space?: unknown; head?: unknown }
        if (typeof space === 'string' && Number.isSafeInteger(head) && (head as number) >= 0) onSpace?.(space, head as number)
      } catch {
        // As for a head: ignored.
      }
    })
    source.addEventListener('spaces', () => onSpaces?.())
    // CONNECTING again means EventSource is retrying; CLOSED means it gave up (a 401, say).
    source.onerror = () => onState(source.readyState === EventSource.CLOSED ? 'closed' : 'connecting')
    return () => {
      source.close()
      onState('off')
    }
  }
}
