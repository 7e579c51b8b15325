// A real PostgreSQL cluster behind the Db port, through a node-postgres pool.
import pg from 'pg'
import type { Db, Queryable, Row } from './Db'

/** How soon a dropped LISTEN connection is tried again. */
const RELISTEN_MS = 250

export async function openPostgres(connectionString: string, options: { max?: number } = {}): Promise<Db> {
  const pool = new pg.Pool({ connectionString, max: options.max ?? 10 })
  // An idle client's error (the server restarted, say) must not crash the process.
  pool.on('error', () => undefined)
  const on = (client: pg.Pool | pg.PoolClient): Queryable => ({
    async query<T extends Row>(sql: string, params: readonly unknown[] = []) {
      return (await client.query<T>(sql, [...params])).rows
    },
  })
  // LISTEN needs one connection of its own for as long as anyone listens. When PostgreSQL drops it
  // (a restart), it is let go and another one listens to every channel again, tried every
  // RELISTEN_MS until the database is back.
  let listener: Promise<pg.PoolClient> | null = null
  let closing = false
  const channels = new Map<string, Set<(payload: string) => void>>()
  const listenClient = (): Promise<pg.PoolClient> =>
    (listener ??= pool.connect().then(
      (client) => {
        client.on('notification', (message) => {
          for (const fn of channels.get(message.channel) ?? []) fn(message.payload ?? '')
        })
        // A dropped connection can report more than one error: the first lets the client go.
        let gone = false
        client.on('error', (error) => {
          if (gone) return
          gone = true
          client.release(error)
          listener = null
          if (!closing) relisten()
        })
        return client
      },
      (error: unknown) => {
        listener = null
        throw error
      },
    ))
  const relisten = () => {
    setTimeout(() => {
      if (closing || channels.size === 0) return
      listenClient()
        .then(async (client) => {
          for (const channel of channels.keys()) await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`)
        })
        .catch(() => {
          if (!closing && listener === null) relisten()
        })
    }, RELISTEN_MS).unref()
  }
  return {
    storage: 'postgres',
    ...on(pool),
    async transaction(fn) {
      const client = await pool.connect()
      // A checked-out client has no pool listener: a connection PostgreSQL drops (a restart) would
      // be an unhandled 'error' that ends the process. The statement in hand fails instead, and the
      // pool discards the client on release.
      const lost = () => undefined
      client.on('error', lost)
      try {
        await client.query('BEGIN')
        const result = await fn(on(client))
        await client.query('COMMIT')
        return result
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined)
        throw error
      } finally {
        client.removeListener('error', lost)
        client.release()
      }
    },
    async listen(channel, fn) {
      const client = await listenClient()
      let set = channels.get(channel)
      if (!set) {
        channels.set(channel, (set = new Set()))
        await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`)
      }
      set.add(fn)
      return async () => {
        set.delete(fn)
        if (set.size === 0 && channels.get(channel) === set) {
          channels.delete(channel)
          await client.query(`UNLISTEN ${pg.escapeIdentifier(channel)}`).catch(() => undefined)
        }
      }
    },
    async notify(channel, payload) {
      await pool.query('SELECT pg_notify($1, $2)', [channel, payload])
    },
    async close() {
      closing = true
      if (listener) (await listener.catch(() => null))?.release()
      await pool.end()
    },
  }
}
