// A real PostgreSQL cluster behind the Db port, through a node-postgres pool.
import pg from 'pg'
import type { Db, Queryable, Row } from './Db'

export async function openPostgres(connectionString: string, options: { max?: number } = {}): Promise<Db> {
  const pool = new pg.Pool({ connectionString, max: options.max ?? 10 })
  // An idle client's error (the server restarted, say) must not crash the process.
  pool.on('error', () => undefined)
  const on = (client: pg.Pool | pg.PoolClient): Queryable => ({
    async query<T extends Row>(sql: string, params: readonly unknown[] = []) {
      return (await client.query<T>(sql, [...params])).rows
    },
  })
  // LISTEN needs one connection of its own for as long as anyone listens.
  let listener: Promise<pg.PoolClient> | null = null
  const channels = new Map<string, Set<(payload: string) => void>>()
  const listenClient = () =>
    (listener ??= pool.connect().then((client) => {
      client.on('notification', (message) => {
        for (const fn of channels.get(message.channel) ?? []) fn(message.payload ?? '')
      })
      return client
    }))
  return {
    storage: 'postgres',
    ...on(pool),
    async transaction(fn) {
      const client = await pool.connect()
      try {
        await client.query('BEGIN')
        const result = await fn(on(client))
        await client.query('COMMIT')
        return result
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined)
        throw error
      } finally {
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
      if (listener) (await listener).release()
      await pool.end()
    },
  }
}
