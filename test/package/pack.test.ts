// The library as another project gets it: `npm pack` (which builds dist-lib), a scratch project
// that installs the tarball, type-checks the getting-started guide's Kanban program against the
// package's own declarations, and runs it in Node (on fake-indexeddb).
import { execFile } from 'node:child_process'
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const run = promisify(execFile)
const root = resolve(__dirname, '../..')
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
let scratch = ''

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'kiroku-pack-'))
  const { stdout } = await run(npm, ['pack', '--pack-destination', scratch, '--json'], { cwd: root, maxBuffer: 32 << 20 })
  const [{ filename }] = JSON.parse(stdout.slice(stdout.indexOf('['))) as [{ filename: string }]
  writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'kanban', private: true, type: 'module' }))
  writeFileSync(
    join(scratch, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'ESNext',
        moduleResolution: 'bundler',
        lib: ['ES2023', 'DOM'],
        strict: true,
        noUncheckedIndexedAccess: true,
        skipLibCheck: false,
        types: [],
        outDir: 'out',
      },
      files: ['main.ts'],
    }),
  )
  copyFileSync(join(__dirname, 'kanban/main.ts'), join(scratch, 'main.ts'))
  // What the package leaves to its user: Dexie as a peer; fake-indexeddb stands in for a browser.
  await run(npm, ['install', '--no-audit', '--no-fund', '--prefer-offline', join(scratch, filename), 'dexie@^4', 'fake-indexeddb@^6'], { cwd: scratch })
}, 240_000)

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true })
})

describe('the packed library, installed into another project', () => {
  it('type-checks the Kanban program against the published declarations', async () => {
    const tsc = join(root, 'node_modules/typescript/bin/tsc')
    const result = await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: scratch }).then(
      () => '',
      (failure: { stdout: string }) => failure.stdout,
    )
    expect(result).toBe('')
  }, 120_000)

  it('runs it: commands, reads, a refused concurrent write and a given/when/then', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'fake-indexeddb/auto', 'out/main.js'], { cwd: scratch })
    expect(JSON.parse(stdout)).toEqual({
      columns: { c1: 'doing', c2: 'todo' },
      version: 2,
      types: ['Board.CardAdded', 'Board.CardAdded', 'Board.CardMoved'],
      conflict: 'WrongExpectedVersionError',
    })
  }, 60_000)
})
