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
        'stop that server, or set KIROKU_DATA_DIR to another folder, or DATABASE_URL to a PostgreSQL.',
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

/** Takes `<dataDir>.lock` (holding our pid); throws DataDirInUse when another live process holds it. Returns its release. */
export function lockDataDir(dataDir: string): () => void {
  const lock = `${dataDir}.lock`
  mkdirSync(dirname(lock), { recursive: true })
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(lock, String(process.pid), { flag: 'wx' })
      let released = false
      return () => {
        if (released) return
        released = true
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
