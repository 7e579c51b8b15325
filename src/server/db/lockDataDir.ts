// PGlite's folder is opened by one process at a time: the server, or an operator's script, holds
// `<dataDir>.lock` (its pid) while it has the folder open.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'

/** Another live process holds the folder. */
export class DataDirInUse extends Error {
  override readonly name = 'DataDirInUse'
  constructor(
    readonly dataDir: string,
    readonly pid: number,
    readonly lockFile: string,
  ) {
    super(
      `${dataDir} is in use by process ${pid} (lock file ${lockFile}). PGlite's folder is opened by one process at a time: ` +
        'stop that server, or give this one another folder, or a PostgreSQL database (several servers may share one).',
    )
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** The locks this process holds: a lock file with our own pid is ours only while it is in here (else a process before us with the same pid left it). */
const held = new Set<string>()

/** Takes `<dataDir>.lock` (holding our pid); throws DataDirInUse when another live process holds it, or this one does already. Returns its release. */
export function lockDataDir(dataDir: string): () => void {
  const lock = `${dataDir}.lock`
  if (held.has(lock)) throw new DataDirInUse(dataDir, process.pid, lock)
  mkdirSync(dirname(lock), { recursive: true })
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(lock, String(process.pid), { flag: 'wx' })
      held.add(lock)
      let released = false
      return () => {
        if (released) return
        released = true
        held.delete(lock)
        rmSync(lock, { force: true })
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw error
      const pid = Number.parseInt(readFileSync(lock, 'utf8'), 10)
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) throw new DataDirInUse(dataDir, pid, lock)
      rmSync(lock, { force: true }) // left behind by a process that is gone
    }
  }
}
