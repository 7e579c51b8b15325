// Faults under load on PostgreSQL (issue 17, item 5): while 20 devices — the library's SyncEngine
// over fake-indexeddb, two a user, reaching a real server process over HTTP — keep making cart
// commands, the server process is SIGKILLed and started again on the same port, PostgreSQL
// restarts under it, and three connections are cut after the server answered a push with an
// accepted commit, before the device read the answer. Afterwards every event a device wrote is
// stored exactly once, every user's partition positions and every stream's positions are gapless,
// nothing was rejected or dropped, and every device holds exactly its user's streams as the
// server stores them. The times these take are bench rows (bench/sync/sections/5-faults.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runFaultsUnderLoad } from './support/faults/scenario'
import { startPostgres, type PostgresCluster } from './support/postgres'

let cluster: PostgresCluster | undefined

beforeAll(async () => {
  cluster = await startPostgres()
}, 120_000)

afterAll(async () => {
  await cluster?.stop()
}, 60_000)

describe('faults under load on PostgreSQL', () => {
  it('loses nothing, stores nothing twice, keeps positions gapless and converges every device through a SIGKILL, a PostgreSQL restart and cut answers', async () => {
    const run = await runFaultsUnderLoad({
      engine: { postgres: cluster! },
      devices: 20,
      faults: ['kill', 'postgres', 'cut'],
      cuts: 3,
      commandEveryMs: 400,
      warmupMs: 2_000,
      betweenMs: 1_000,
    })
    const why = run.output.slice(-4_000)
    expect(run.faults.map(({ kind, injected }) => [kind, injected])).toEqual([
      ['kill', 1],
      ['postgres', 1],
      ['cut', 3],
    ])
    // The faults met work in flight: events waiting when each was over, requests that got no answer.
    for (const fault of run.faults.slice(0, 2)) expect(fault.waiting, fault.kind).toBeGreaterThan(0)
    expect(run.tally.unanswered).toBeGreaterThanOrEqual(3)
    // Each cut answer's commit was stored; its device learnt so from a pull or a duplicate answer.
    expect(run.tally.confirmedByPull + run.tally.duplicates).toBeGreaterThanOrEqual(3)
    expect(run.commandErrors).toEqual([])

    expect(run.written).toBe(run.tally.commands)
    expect(run.missing, why).toEqual([])
    expect(run.unexpected).toEqual([])
    expect(run.storedTwice).toEqual([])
    expect(run.stored).toBe(run.written)
    expect(run.partitionGaps).toEqual([])
    expect(run.streamGaps).toEqual([])
    expect(run.reports).toEqual([])
    expect(Number.isNaN(run.settleMs), 'every device settled').toBe(false)
    expect(run.diverged).toEqual([])
  }, 300_000)
})
