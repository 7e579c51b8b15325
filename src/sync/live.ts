// The protocol's live channel (`GET /api/sync/live`, server-sent events) as the engine's LiveChannel.
import type { LiveChannel } from './SyncEngine'

/** Heads from the server over EventSource, which reconnects by itself (sending Last-Event-ID). */
export function eventSourceLive(url = '/api/sync/live'): LiveChannel {
  return ({ onHead, onState }) => {
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
    // CONNECTING again means EventSource is retrying; CLOSED means it gave up (a 401, say).
    source.onerror = () => onState(source.readyState === EventSource.CLOSED ? 'closed' : 'connecting')
    return () => {
      source.close()
      onState('off')
    }
  }
}
