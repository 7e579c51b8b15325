// A closed loop of simulated devices: each pushes its next cart commit as soon as the answer to the
// last one is in, for a warm-up and then a measured window. Counts the commits answered inside the
// window and times each push; every commit must be accepted (each device owns its stream, so
// anything else is a bug, not a figure).
import { performance } from 'node:perf_hooks'
import type { CommitResult, PushCommit } from '../../../src/sync/protocol'
import { CartCommits } from '../client'
import type { CpuMeter } from './cpu'

/** One device: its cart and how it pushes one commit (over HTTP, or straight into a database). */
export interface Pusher {
  carts: CartCommits
  push(commit: PushCommit): Promise<CommitResult>
}

export interface LoopResult {
  /** Commits answered inside the measured window. */
  commits: number
  /** Their events. */
  events: number
  /** Each of those commits' push time, ms. */
  samples: number[]
  /** Commits per second over the window. */
  rate: number
  /** Events accepted in all, warm-up and tail included (for the exactly-once count). */
  acceptedEvents: number
  acceptedCommits: number
  /** CPU ms spent in the measured window by the server, the database and this process, when metered. */
  cpu?: { server: number; database: number; generator: number }
}

export async function closedLoop(pushers: readonly Pusher[], { warmupMs, measureMs }: { warmupMs: number; measureMs: number }, meter?: CpuMeter): Promise<LoopResult> {
  const started = performance.now()
  const from = started + warmupMs
  const until = from + measureMs
  const samples: number[] = []
  let events = 0
  let acceptedEvents = 0
  let acceptedCommits = 0
  const device = async ({ carts, push }: Pusher) => {
    while (performance.now() < until) {
      const commit = carts.next()
      const sent = performance.now()
      const result = await push(commit)
      const answered = performance.now()
      if (result.status !== 'accepted') throw new Error(`${commit.stream} at ${String(commit.expectedVersion)}: ${JSON.stringify(result)}`)
      carts.settle(commit, result)
      acceptedEvents += commit.events.length
      acceptedCommits++
      if (answered >= from && answered <= until) {
        samples.push(answered - sent)
        events += commit.events.length
      }
    }
  }
  let cpu: LoopResult['cpu']
  const opens = setTimeout(() => meter?.take(), warmupMs)
  const closes = setTimeout(() => (cpu = meter?.take()), warmupMs + measureMs)
  try {
    await Promise.all(pushers.map(device))
  } finally {
    clearTimeout(opens)
    clearTimeout(closes)
  }
  return { commits: samples.length, events, samples, rate: samples.length / (measureMs / 1000), acceptedEvents, acceptedCommits, cpu }
}

/** Fresh carts for `n` devices (a new stream each, expected version -1 first). */
export const freshCarts = (n: number) => Array.from({ length: n }, () => new CartCommits())
