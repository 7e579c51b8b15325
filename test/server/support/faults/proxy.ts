// A loopback TCP proxy between the devices and the sync server, which can cut a connection after
// the server answered a push and before the device read the answer: the commit is stored, the
// device hears only that the connection was reset. It forwards bytes untouched otherwise, and
// keeps forwarding to the same port while the server behind it is killed and started again.
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net'

export interface CuttingProxy {
  /** `http://127.0.0.1:<port>`: where the devices send their requests. */
  readonly base: string
  /**
   * Cuts the next `count` connections whose push the server answered with at least one accepted
   * commit, as the answer arrives: the device never reads it. Resolves once all were cut.
   */
  cutAcceptedPushes(count: number): Promise<void>
  /** Connections cut so far. */
  readonly cuts: number
  /** Connections made through the proxy so far. */
  readonly connections: number
  close(): Promise<void>
}

const PUSH_REQUEST = 'POST /api/sync/push '

/** Starts the proxy on a free loopback port, forwarding to 127.0.0.1:`targetPort`. */
export async function startCuttingProxy(targetPort: number): Promise<CuttingProxy> {
  const sockets = new Set<Socket>()
  let toCut = 0
  let cuts = 0
  let connections = 0
  let allCut: () => void = () => undefined

  const server: Server = createServer((client) => {
    connections++
    const upstream = connect(targetPort, '127.0.0.1')
    sockets.add(client).add(upstream)
    // Whether the last request on this connection (HTTP/1.1 keep-alive: one at a time) is a push.
    let pushing = false
    let answer = ''
    const end = () => {
      client.destroy()
      upstream.destroy()
      sockets.delete(client)
      sockets.delete(upstream)
    }
    client.on('data', (chunk: Buffer) => {
      if (chunk.subarray(0, PUSH_REQUEST.length).toString('latin1') === PUSH_REQUEST) {
        pushing = true
        answer = ''
      } else if (/^[A-Z]+ \//.test(chunk.subarray(0, 8).toString('latin1'))) {
        pushing = false
      }
      upstream.write(chunk)
    })
    upstream.on('data', (chunk: Buffer) => {
      if (!pushing || toCut === 0) {
        client.write(chunk)
        return
      }
      // Held back until the whole answer is in (its Content-Length), to see whether a commit was accepted.
      answer += chunk.toString('latin1')
      const headEnd = answer.indexOf('\r\n\r\n')
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(answer.slice(0, headEnd))?.[1] ?? Number.NaN)
      if (headEnd < 0 || (Number.isInteger(length) && answer.length < headEnd + 4 + length)) return
      pushing = false
      const whole = Buffer.from(answer, 'latin1')
      answer = ''
      if (!whole.toString('utf8').includes('"status":"accepted"')) {
        client.write(whole)
        return
      }
      toCut--
      cuts++
      // A reset, not a clean close: the device sees its connection fail before any answer.
      client.resetAndDestroy()
      end()
      if (toCut === 0) allCut()
    })
    client.on('error', end)
    upstream.on('error', end)
    client.on('close', end)
    upstream.on('close', end)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  return {
    base: `http://127.0.0.1:${port}`,
    cutAcceptedPushes(count) {
      toCut += count
      return new Promise<void>((resolve) => {
        allCut = resolve
        if (toCut === 0) resolve()
      })
    },
    get cuts() {
      return cuts
    },
    get connections() {
      return connections
    },
    async close() {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
