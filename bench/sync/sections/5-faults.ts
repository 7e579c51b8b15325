// Item 5: faults under load. 100 devices — the library's SyncEngine over fake-indexeddb, two a
// user, reaching a real server process over HTTP through a loopback proxy — make cart commands
// (about one a second each) while the server process is SIGKILLed and started again on the same
// port, PostgreSQL (durable) restarts under it, and connections are cut after the server answered
// a push with an accepted commit, before the device read the answer. Then PGlite, with fewer
// devices, through a SIGKILL and cut answers. The rows are counts and times; the outcome (every
// event stored once, gapless positions, every device converged) is the goal, and a run whose
// outcome is wrong fails. The same run, smaller, is the test test/server/faults*.test.ts.
import os from 'node:os'
import { runFaultsUnderLoad, type FaultRecord, type ScenarioResult } from '../../../test/server/support/faults/scenario'
import { ms, num, status } from '../stats'
import type { Section, SyncRow } from '../types'

const seconds = (value: number) => (Number.isNaN(value) ? 'not within 60 s' : `${num(value / 1000)} s`)
const after = (value: number) => (Number.isNaN(value) ? 'not within 60 s' : `+${seconds(value)}`)

const FAULT_LABELS: Record<FaultRecord['kind'], (injected: number) => string> = {
  kill: () => 'server process SIGKILLed, started again on the same port',
  postgres: () => 'PostgreSQL restarted under the server (fast shutdown)',
  cut: (n) => `${n} connections cut after an accepted push, before its answer was read`,
}

/** What went wrong in the outcome, in words; empty when nothing did. */
function outcomeProblems(run: ScenarioResult): string[] {
  const problems: Array<[number, string]> = [
    [run.missing.length, 'written events not stored'],
    [run.unexpected.length, 'stored events no device wrote'],
    [run.storedTwice.length, 'events stored twice'],
    [run.partitionGaps.length, 'users with gaps in their partition positions'],
    [run.streamGaps.length, 'streams with gaps in their positions'],
    [run.reports.length, 'events rejected or dropped'],
    [run.diverged.length, 'device streams unlike the server’s'],
    [run.commandErrors.length, 'commands that failed'],
    [Number.isNaN(run.settleMs) ? 1 : 0, 'devices not settled within 3 minutes'],
  ]
  return problems.filter(([count]) => count > 0).map(([count, what]) => `${count} ${what}`)
}

function rows(run: ScenarioResult, engine: 'postgres' | 'pglite', id: string): SyncRow[] {
  const t = run.tally
  const problems = outcomeProblems(run)
  const out: SyncRow[] = [
    {
      item: '5',
      id: `${id}-load`,
      label: `${run.devices} devices (${run.users} users) making cart commands for ${num(run.loadMs / 1000)} s`,
      engine,
      kiroku: `${num(t.commands)} commands → ${num(run.written)} events written, ${num(run.stored)} stored; ${num(t.pushes)} pushes, ${num(t.pulls)} pulls`,
      baseline: '—',
      ratio: '—',
      goal: '—',
      status: '—',
      detail: { devices: run.devices, users: run.users, loadMs: run.loadMs, serverStartMs: run.serverStartMs, tally: t, written: run.written, stored: run.stored },
    },
  ]
  for (const fault of run.faults) {
    out.push({
      item: '5',
      id: `${id}-${fault.kind}`,
      label: FAULT_LABELS[fault.kind](fault.injected),
      engine,
      kiroku: `over in ${seconds(fault.outageMs)}; ${num(fault.waiting)} events waiting; first answer ${after(fault.firstAnswerMs)}, all stored ${after(fault.convergeMs)} (median device ${after(fault.deviceMedianMs)})`,
      baseline: '—',
      ratio: '—',
      goal: 'every waiting event stored',
      status: status([[!Number.isNaN(fault.convergeMs), 'not all stored within 60 s']]),
      detail: fault,
    })
  }
  out.push(
    {
      item: '5',
      id: `${id}-wire`,
      label: 'on the wire: unanswered pushes, retries, duplicates answered, lost answers confirmed by a pull, conflicts',
      engine,
      kiroku: `${num(t.unanswered)} unanswered · ${num(t.retries)} retries · ${num(t.duplicates)} duplicate · ${num(t.confirmedByPull)} confirmed by pull · ${num(t.conflicts)} conflict · ${num(t.blocked)} blocked · ${num(t.rejected)} rejected`,
      baseline: '—',
      ratio: '—',
      goal: '—',
      status: '—',
      detail: t,
    },
    {
      item: '5',
      id: `${id}-outcome`,
      label: 'afterwards: each event stored once, positions gapless, every device converged',
      engine,
      kiroku: `${run.missing.length} missing · ${run.storedTwice.length} twice · ${run.partitionGaps.length + run.streamGaps.length} gaps · ${run.reports.length} dropped · ${run.diverged.length} diverged; settled ${Number.isNaN(run.settleMs) ? 'not within 3 minutes' : seconds(run.settleMs)} after the load`,
      baseline: '—',
      ratio: '—',
      goal: 'nothing lost, twice, out of place or dropped; all converge',
      status: problems.length ? `missed: ${problems.join('; ')}` : 'met',
      detail: { settleMs: run.settleMs, missing: run.missing, unexpected: run.unexpected, storedTwice: run.storedTwice, partitionGaps: run.partitionGaps, streamGaps: run.streamGaps, reports: run.reports.length, diverged: run.diverged, commandErrors: run.commandErrors },
    },
  )
  return out
}

export const section: Section = {
  item: '5',
  title: 'Faults under load (server SIGKILL, PostgreSQL restart, answers cut after the commit)',
  async run(context) {
    const { log, quick } = context
    // The devices' IndexedDB, set up only when this section runs.
    await import('../../../test/server/support/faults/indexedDb')
    const cluster = await context.postgres()
    const loadAtStart = os.loadavg()[0]!
    const postgres = await runFaultsUnderLoad({
      engine: { postgres: cluster },
      devices: quick ? 20 : 100,
      faults: ['kill', 'postgres', 'cut'],
      cuts: quick ? 3 : 5,
      commandEveryMs: 1_000,
      warmupMs: quick ? 2_000 : 5_000,
      betweenMs: quick ? 1_000 : 3_000,
      log,
    })
    const pglite = await runFaultsUnderLoad({
      engine: 'pglite',
      devices: quick ? 10 : 20,
      faults: ['kill', 'cut'],
      cuts: quick ? 2 : 3,
      commandEveryMs: 1_000,
      warmupMs: quick ? 2_000 : 5_000,
      betweenMs: quick ? 1_000 : 3_000,
      log,
    })
    log(`load average ${loadAtStart.toFixed(2)} → ${os.loadavg()[0]!.toFixed(2)}; server process start ${ms(postgres.serverStartMs)} (postgres), ${ms(pglite.serverStartMs)} (pglite, with initdb)`)
    const all = [...rows(postgres, 'postgres', 'faults-postgres'), ...rows(pglite, 'pglite', 'faults-pglite')]
    const problems = [...outcomeProblems(postgres).map((p) => `postgres: ${p}`), ...outcomeProblems(pglite).map((p) => `pglite: ${p}`)]
    if (problems.length) {
      for (const row of all) log(`${row.label} [${row.engine}]: ${row.kiroku} | ${row.status}`)
      throw new Error(`faults under load went wrong: ${problems.join('; ')}`)
    }
    return all
  },
}
