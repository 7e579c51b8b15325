// The bench page: exposes the cases to the runner, which calls them through page.evaluate.
import { cases, type CaseId, type RoundOptions, type RoundResult } from './cases'

export interface BenchPage {
  run(id: CaseId, options: RoundOptions): Promise<RoundResult>
  info(): { userAgent: string; crossOriginIsolated: boolean; timerResolutionMs: number }
}

declare global {
  interface Window {
    kirokuBench?: BenchPage
  }
}

/** The smallest step performance.now() shows here (5 µs when cross-origin isolated, 100 µs otherwise). */
function timerResolution(): number {
  let smallest = Infinity
  for (let i = 0; i < 50; i++) {
    const a = performance.now()
    let b = a
    while (b === a) b = performance.now()
    smallest = Math.min(smallest, b - a)
  }
  return smallest
}

window.kirokuBench = {
  run: (id, options) => cases[id](options),
  info: () => ({ userAgent: navigator.userAgent, crossOriginIsolated: self.crossOriginIsolated, timerResolutionMs: timerResolution() }),
}
