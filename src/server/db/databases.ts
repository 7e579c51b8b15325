// Where a sync server keeps its data, named before it is opened: embedded PostgreSQL (PGlite) in a
// folder of this machine, or a real PostgreSQL cluster by URL. `open` is the server's `start`. Each
// adapter is loaded when it is opened: an app installs the database package it uses, not both.
import { mkdirSync } from 'node:fs'
import { resolve } from 'node:path'
import type { Db } from './Db'
import { lockDataDir } from './lockDataDir'

const openPglite = async (dataDir?: string) => (await import('./pglite')).openPglite(dataDir)
const openPostgres = async (url: string, options: { max?: number }) => (await import('./postgres')).openPostgres(url, options)

export interface Database {
  readonly storage: Db['storage']
  /** Where, for the server's start line: the folder, or the URL without its password. */
  readonly where: string
  /** Opens it; `close()` on the Db it gives closes it (and lets the folder go). */
  open(): Promise<Db>
}

/**
 * Embedded PostgreSQL in `dataDir` (made when missing; in memory when undefined). One process at
 * a time opens a folder: a lock file beside its data says which, and another process's start fails
 * with DataDirInUse rather than corrupting it.
 */
export function pgliteDatabase(dataDir?: string): Database {
  const dir = dataDir === undefined ? undefined : resolve(dataDir)
  return {
    storage: 'pglite',
    where: dir ?? 'memory',
    async open() {
      if (dir === undefined) return openPglite()
      const release = lockDataDir(dir)
      const onExit = () => release()
      process.on('exit', onExit)
      try {
        mkdirSync(dir, { recursive: true })
        const db = await openPglite(dir)
        return {
          ...db,
          close: async () => {
            try {
              await db.close()
            } finally {
              release()
              process.off('exit', onExit)
            }
          },
        }
      } catch (error) {
        release()
        process.off('exit', onExit)
        throw error
      }
    },
  }
}

/** A PostgreSQL cluster (`postgres://user:password@host:5432/db`) through a pool of `max` connections (default 10). Several server processes may share it. */
export function postgresDatabase(url: string, options: { max?: number } = {}): Database {
  const shown = URL.canParse(url) ? Object.assign(new URL(url), { password: '' }).toString() : 'postgres'
  return { storage: 'postgres', where: shown, open: () => openPostgres(url, options) }
}

/** Whether `value` is an opened Db (as opposed to a Database still to open). */
export const isDb = (value: Database | Db): value is Db => typeof (value as Db).query === 'function'
