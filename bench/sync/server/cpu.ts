// CPU time spent by the processes of a run, from /proc (Linux): the server process, a PostgreSQL
// cluster (its postmaster and every backend), and this process (the load generator). On a shared
// machine wall-clock figures swing with the load; CPU milliseconds per commit say where the work
// goes whatever else runs.
import { readdirSync, readFileSync } from 'node:fs'

const TICK_MS = 10 // USER_HZ is 100 on Linux

/** utime + stime of one process, ms (with `reaped`, also that of its children that exited and
 * were waited for: a backend whose connection closed); 0 when it is gone. */
function processMs(pid: number, reaped = false): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number)
    return (fields[11]! + fields[12]! + (reaped ? fields[13]! + fields[14]! : 0)) * TICK_MS
  } catch {
    return 0
  }
}

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
  } catch {
    return undefined
  }
}

const pids = () => readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number)

/** The postmaster listening on `port` (started with `-p <port>`), or undefined. */
export function postmasterOf(port: number): number | undefined {
  for (const pid of pids()) {
    try {
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')
      if (/postgres$/.test(args[0] ?? '') && args.some((arg, i) => (arg === '-p' && args[i + 1] === String(port)) || arg === `-p${port}`)) return pid
    } catch {
      // gone meanwhile
    }
  }
  return undefined
}

/** CPU ms of a postmaster and all its children (backends, walwriter, checkpointer…), the ones
 * that ended too (a pool closing an idle connection ends its backend). */
export function clusterMs(postmaster: number): number {
  let total = processMs(postmaster, true)
  for (const pid of pids()) if (parentOf(pid) === postmaster) total += processMs(pid)
  return total
}

export interface CpuMeter {
  /** CPU ms since the last `take` (or since it was made), per part. */
  take(): { server: number; database: number; generator: number }
}

/** Meters the server process (`serverPid`, when there is one), the cluster (`postmaster`) and this process. */
export function cpuMeter({ serverPid, postmaster }: { serverPid?: number; postmaster?: number }): CpuMeter {
  const read = () => {
    const own = process.cpuUsage()
    return {
      server: serverPid === undefined ? 0 : processMs(serverPid),
      database: postmaster === undefined ? 0 : clusterMs(postmaster),
      generator: (own.user + own.system) / 1000,
    }
  }
  let last = read()
  return {
    take() {
      const now = read()
      const spent = { server: now.server - last.server, database: now.database - last.database, generator: now.generator - last.generator }
      last = now
      return spent
    },
  }
}
