// `npm run bench:sync`: the sync server and the browser's sync, each beside a hand-written
// baseline doing the same work in the same run (raw `pg`, raw IndexedDB), on a throwaway
// PostgreSQL cluster with durable settings and on PGlite. One section a file in sections/, run in
// the order of their names; each prints its rows. A whole run writes bench/sync/results.json and
// the table in bench/README.md. Asserts no timings: it fails when a section's work goes wrong
// (an event lost or stored twice, a wrong answer).
//
//   npm run bench:sync                     every section
//   npm run bench:sync -- --only 1,push    sections by item or file name
//   npm run bench:sync -- --quick          small N, to check that every section still runs
//   options: --no-write
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { basename, join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { startPostgres } from '../../test/server/support/postgres'
import type { Section, SectionContext, SyncRow } from './types'

const benchDir = import.meta.dirname
const root = resolve(benchDir, '..', '..')
const log = (...parts: unknown[]) => console.error(...parts)

const { values: args } = parseArgs({
  options: {
    only: { type: 'string' },
    quick: { type: 'boolean', default: false },
    'no-write': { type: 'boolean', default: false },
  },
})
const only = args.only?.split(',').map((name) => name.trim())

async function sections(): Promise<Array<{ file: string; section: Section }>> {
  const files = readdirSync(join(benchDir, 'sections'))
    .filter((name) => /\.ts$/.test(name) && !name.endsWith('.d.ts'))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
  const loaded = []
  for (const name of files) {
    const module = (await import(pathToFileURL(join(benchDir, 'sections', name)).href)) as { section?: Section }
    if (!module.section) throw new Error(`bench/sync/sections/${name} exports no \`section\``)
    loaded.push({ file: basename(name, '.ts'), section: module.section })
  }
  return loaded
}

async function main(): Promise<void> {
  const startedAt = Date.now()
  const loadAtStart = os.loadavg().map((load) => Number(load.toFixed(2)))
  const all = await sections()
  const chosen = all.filter(({ file, section }) => !only || only.some((name) => name === section.item || name === file || file.includes(name)))
  if (chosen.length === 0) throw new Error(`--only ${args.only}: no such section (have ${all.map(({ file }) => file).join(', ')})`)
  const rows: SyncRow[] = []
  const failures: string[] = []
  for (const { file, section } of chosen) {
    log(`\n· ${section.item}. ${section.title} (${file})`)
    const cleanups: Array<() => Promise<void> | void> = []
    const context: SectionContext = {
      log: (...parts) => log('  ', ...parts),
      quick: args.quick,
      root,
      async postgres() {
        const cluster = await startPostgres({ durable: true })
        cleanups.push(() => cluster.stop())
        return cluster
      },
      defer: (cleanup) => void cleanups.push(cleanup),
    }
    const started = Date.now()
    try {
      const produced = await section.run(context)
      rows.push(...produced)
      for (const row of produced) log(`  ${row.label} [${row.engine}]: ${row.kiroku} | baseline ${row.baseline} | ${row.ratio} | ${row.status}`)
    } catch (error) {
      failures.push(`${file}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
      log(`  FAILED: ${error instanceof Error ? error.message : String(error)}`)
    } finally {
      for (const cleanup of cleanups.reverse()) await Promise.resolve(cleanup()).catch((error: unknown) => log('  cleanup failed:', error))
    }
    log(`  (${((Date.now() - started) / 1000).toFixed(0)} s)`)
  }
  const meta = {
    date: new Date().toISOString(),
    command: ['npm run bench:sync', ...process.argv.slice(2)].join(' '),
    quick: args.quick,
    machine: `${os.cpus()[0]?.model.trim() ?? 'cpu'}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}, Node ${process.version}`,
    postgres: readPostgresVersion(),
    load: { start: loadAtStart, end: os.loadavg().map((load) => Number(load.toFixed(2))) },
    seconds: Math.round((Date.now() - startedAt) / 1000),
  }
  const table = renderTable(rows)
  console.log(`\n${table}\n`)
  const footer = `${meta.machine} · ${meta.postgres} · load average ${meta.load.start[0]} → ${meta.load.end[0]}\n${meta.seconds} s · ${meta.command}`
  console.log(footer)
  if (failures.length) {
    log(`\n${failures.length} section(s) failed:\n${failures.join('\n\n')}`)
    process.exitCode = 1
    return
  }
  if (!only && !args.quick && !args['no-write']) {
    writeFileSync(join(benchDir, 'results.json'), `${JSON.stringify({ ...meta, rows }, null, 2)}\n`)
    updateReadme(table, footer, meta.date)
    log('wrote bench/sync/results.json and the sync table in bench/README.md')
  } else {
    log('(a partial or quick run: bench/sync/results.json and bench/README.md left as they were)')
  }
}

function readPostgresVersion(): string {
  try {
    const versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a))
    return `PostgreSQL ${versions[0] ?? '?'}`
  } catch {
    return 'PostgreSQL ?'
  }
}

function renderTable(rows: SyncRow[]): string {
  const header = ['#', 'measurement', 'engine', 'Kiroku', 'baseline', 'ratio', 'goal', 'status']
  const body = rows.map((row) => [row.item, row.label, row.engine, row.kiroku, row.baseline, row.ratio, row.goal, row.status])
  const widths = header.map((title, i) => Math.max(title.length, ...body.map((cells) => cells[i]!.length)))
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n')
}

function updateReadme(table: string, footer: string, date: string): void {
  const readme = join(benchDir, '..', 'README.md')
  const text = readFileSync(readme, 'utf8')
  const start = '<!-- sync-results:start -->'
  const end = '<!-- sync-results:end -->'
  const from = text.indexOf(start)
  const to = text.indexOf(end)
  if (from < 0 || to < from) throw new Error(`bench/README.md has no ${start} … ${end} markers`)
  const block = `${start}\n\nRan ${date.slice(0, 10)} with \`npm run bench:sync\`:\n\n${table}\n\n\`\`\`\n${footer}\n\`\`\`\n\n${end}`
  writeFileSync(readme, text.slice(0, from) + block + text.slice(to + end.length))
}

main().catch((error: unknown) => {
  log(error)
  process.exitCode = 1
})
