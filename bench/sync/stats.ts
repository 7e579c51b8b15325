// Percentiles and the number formats the sync bench prints.

/** The nearest-rank quantile `q` (0…1) of `values`; NaN when there are none. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!
}

export interface Latency {
  n: number
  p50: number
  p95: number
  p99: number
  max: number
}

export function latency(samples: readonly number[]): Latency {
  return { n: samples.length, p50: quantile(samples, 0.5), p95: quantile(samples, 0.95), p99: quantile(samples, 0.99), max: quantile(samples, 1) }
}

/** 3 significant figures, thousands separated: 0.0123, 4.56, 78.9, 1,234. */
export function num(value: number): string {
  if (!Number.isFinite(value)) return String(value)
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString('en-US')
  return Number(value.toPrecision(3)).toString()
}

export const ms = (value: number) => `${num(value)} ms`

export const latencyText = (l: Latency) => `p50 ${num(l.p50)} · p95 ${num(l.p95)} · p99 ${num(l.p99)} ms`

export const ratioText = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)}×` : '—')

/** 'met' or 'missed: <why>' from a list of [passed, what was missed] checks. */
export function status(checks: ReadonlyArray<readonly [boolean, string]>): string {
  const missed = checks.filter(([ok]) => !ok).map(([, why]) => why)
  return missed.length ? `missed: ${missed.join('; ')}` : 'met'
}
