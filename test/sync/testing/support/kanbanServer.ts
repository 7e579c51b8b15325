// The Kanban app's sync server: the library's, with the app's rules, in memory (PGlite), one per
// test file. With `identify`, users are named by a header instead of signing up.
import { afterAll, beforeAll } from 'vitest'
import { createSyncServer, pgliteDatabase, type SyncServer, type SyncServerOptions } from '../../../../src/server'
import { kanbanRules } from './kanban'

export const USER_HEADER = 'x-kanban-user'

/** Registers beforeAll/afterAll: a started server for the file (the returned getter is valid from beforeAll on). */
export function kanbanServer(options: Partial<SyncServerOptions> = {}): () => SyncServer {
  let server: SyncServer | undefined
  beforeAll(async () => {
    server = createSyncServer({ database: pgliteDatabase(), rules: kanbanRules, pruning: false, ...options })
    await server.start()
  }, 60_000)
  afterAll(async () => {
    await server?.close()
  })
  return () => {
    if (server === undefined) throw new Error('The Kanban server starts in beforeAll.')
    return server
  }
}

/** The app's own sign-in, as a test stands it in: the user's id is in a header. */
export const identifyByHeader = (request: Request): string | null => request.headers.get(USER_HEADER)
