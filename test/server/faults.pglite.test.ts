// Faults under load on PGlite, the embedded default: while 10 devices (the library's SyncEngine
// over fake-indexeddb, two a user) keep making cart commands, the server process is SIGKILLed —
// PGlite's folder left as it was, its lock file naming a dead process — and started again on the
// same port and folder, which must open; then two connections are cut after the server answered a
// push with an accepted commit. Afterwards, from the folder opened once more: every event stored
// exactly once, positions gapless, nothing dropped, every device equal to the server.
import { describe, expect, it } from 'vitest'
import { runFaultsUnderLoad } from './support/faults/scenario'

describe('faults under load on PGlite', () => {
  it('reopens its folder after a SIGKILL and loses nothing, stores nothing twice and converges every device', async () => {
    const run = await runFaultsUnderLoad({ engine: 'pglite', devices: 10, faults: ['kill', 'cut'], cuts: 2, commandEveryMs: 800, warmupMs: 2_000, betweenMs: 1_000 })
    const why = run.output.slice(-4_000)
    expect(run.faults.map(({ kind, injected }) => [kind, injected])).toEqual([
      ['kill', 1],
      ['cut', 2],
    ])
    // The restarted process opened the folder (the run waits for its health), after a process
    // that was killed with it open.
    expect(run.output).toMatch(/exit SIGKILL\][\s\S]*kiroku server: http:\/\/127\.0\.0\.1:\d+ \(pglite in /)
    expect(run.faults[0]!.waiting).toBeGreaterThan(0)
    expect(run.tally.confirmedByPull + run.tally.duplicates).toBeGreaterThanOrEqual(2)
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
