// The shape every section of `npm run bench:sync` shares (bench/sync/run.ts runs them in order).
import type { PostgresCluster } from '../../test/server/support/postgres'

/** One printed row: what was measured on Kiroku's side, its hand-written baseline, and the goal. */
export interface SyncRow {
  /** The item (1…6). */
  item: string
  /** Stable id, for --only and results.json. */
  id: string
  label: string
  /** 'postgres' | 'pglite' | '—' when the row has no database of its own (a browser, a count). */
  engine: 'postgres' | 'pglite' | '—'
  /** Kiroku's figure, formatted (e.g. "2,310 commits/s", "p50 4.1 · p95 9.8 · p99 14 ms"). */
  kiroku: string
  /** The baseline's figure, formatted; '—' when the row has none. */
  baseline: string
  /** Kiroku / baseline as "0.62×" (for throughput: Kiroku's rate over the baseline's), or '—'. */
  ratio: string
  /** The goal in words, or '—'. */
  goal: string
  /** 'met', 'missed: …', or '—' when the row has no goal. */
  status: string
  /** Every number behind the row, for results.json. */
  detail?: unknown
}

export interface SectionContext {
  /** Progress to stderr. */
  log(...parts: unknown[]): void
  /** --quick: smaller N and fewer rounds, to check the section still runs (its figures mean little). */
  quick: boolean
  /** The project's root folder. */
  root: string
  /**
   * A throwaway PostgreSQL cluster with durable settings (fsync on), started on a free loopback
   * port for the section and stopped after it. Each call starts another one.
   */
  postgres(): Promise<PostgresCluster>
  /** Registers a cleanup that runs after the section, even when it failed. */
  defer(cleanup: () => Promise<void> | void): void
}

export interface Section {
  /** The item, e.g. '1'. */
  item: string
  title: string
  run(context: SectionContext): Promise<SyncRow[]>
}
