// Raw TCP for the connection tests (test/server/connections.test.ts): a socket that sends half a
// request and waits, one that sends its body a byte at a time, from a chosen loopback address.
import { connect, type Socket } from 'node:net'

export interface RawSocket {
  /** Resolves once connected (the kernel accepted it; the server may not have looked at it yet). */
  connected: Promise<void>
  /** Resolves once the server closed the socket, with every byte it sent ('' when it sent none). */
  closed: Promise<string>
  /** Whether the server has closed it. */
  isClosed(): boolean
  /** Writes more of the request. */
  send(text: string): void
  destroy(): void
}

/** Opens a socket to `base`'s host and port from `from` and writes `text` (e.g. a request cut short). */
export function rawSocket(base: string, text: string, from?: string): RawSocket {
  const { hostname, port } = new URL(base)
  const socket: Socket = connect({ host: hostname, port: Number(port), localAddress: from })
  let received = ''
  let over = false
  socket.setEncoding('utf8')
  socket.on('data', (chunk: string) => (received += chunk))
  socket.on('error', () => undefined) // a reset is one way the server closes it
  const connected = new Promise<void>((resolve, reject) => {
    socket.once('connect', () => {
      socket.write(text)
      resolve()
    })
    socket.once('close', () => reject(new Error(`closed before it connected (from ${from ?? 'default'})`)))
  })
  connected.catch(() => undefined)
  const closed = new Promise<string>((resolve) =>
    socket.once('close', () => {
      over = true
      resolve(received)
    }),
  )
  return {
    connected,
    closed,
    isClosed: () => over,
    send: (more) => void socket.write(more),
    destroy: () => socket.destroy(),
  }
}

/** The start of a request whose headers never end. */
export const HALF_HEADER = 'GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: '
/** What ends HALF_HEADER's request. */
export const REST_OF_HEADER = 'x\r\nConnection: close\r\n\r\n'

/**
 * POSTs a body of `length` bytes to `path`, one byte every `everyMs` once the headers are sent,
 * until the server closes the socket or the body is all sent. Resolves with what the server sent
 * and how many body bytes went out.
 */
export function slowBody(base: string, path: string, { length = 200, everyMs = 200, from }: { length?: number; everyMs?: number; from?: string } = {}): Promise<{ text: string; sent: number }> {
  const socket = rawSocket(base, `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`, from)
  let sent = 0
  let timer: NodeJS.Timeout | undefined
  const drip = () => {
    if (socket.isClosed() || sent >= length) return
    socket.send('x')
    sent++
    timer = setTimeout(drip, everyMs)
  }
  void socket.connected.then(drip, () => undefined)
  return socket.closed.then((text) => {
    clearTimeout(timer)
    return { text, sent }
  })
}
