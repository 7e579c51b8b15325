// Waits until the browser is idle: after a bulk seed of hundreds of megabytes, Chromium's storage
// goes on compacting what was written for minutes, on the same two cores the rounds would be timed
// on. A device that wrote its million events over months holds them compacted, so the rounds start
// once Chromium's processes have been (nearly) idle for a few seconds in a row.
import { readdirSync, readFileSync } from 'node:fs'

const TICKS_PER_SECOND = 100 // USER_HZ on Linux
const STEP_MS = 1_000

/** CPU seconds used so far by the processes whose command line names Chromium (Linux only). */
function chromiumCpuSeconds() {
  let ticks = 0
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes('chromium')) continue
      // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th.
      const stat = readFileSync(`/proc/${pid}/stat`, 'latin1')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      ticks += Number(fields[11]) + Number(fields[12])
    } catch {
      // The process ended meanwhile.
    }
  }
  return ticks / TICKS_PER_SECOND
}

/**
 * Resolves once Chromium used under `busy` of a core in each of `calm` seconds in a row, or after
 * `limit` ms whatever it does. Returns how long it waited and whether it got quiet.
 */
export async function waitForQuiet({ busy = 0.1, calm = 5, limit = 600_000 } = {}) {
  if (process.platform !== 'linux') return { ms: 0, quiet: false }
  const started = Date.now()
  let last = chromiumCpuSeconds()
  let calmFor = 0
  while (Date.now() - started < limit) {
    await new Promise((resolve) => setTimeout(resolve, STEP_MS))
    const now = chromiumCpuSeconds()
    calmFor = now - last < busy * (STEP_MS / 1000) ? calmFor + 1 : 0
    last = now
    if (calmFor >= calm) return { ms: Date.now() - started, quiet: true }
  }
  return { ms: Date.now() - started, quiet: false }
}
