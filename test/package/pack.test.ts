// The library as another project gets it: `npm pack` (which builds dist-lib), a scratch project
// that installs the tarball, type-checks the getting-started guide's Kanban board (its code
// blocks, as one module) against the package's own declarations, and runs it in Node (on
// fake-indexeddb; the React view is only defined there, not rendered).
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { codeBlocks } from '../support/markdown'

const run = promisify(execFile)
const root = resolve(__dirname, '../..')
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
let scratch = ''

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'kiroku-pack-'))
  // Built first, then packed without scripts, so npm pack prints nothing but its JSON.
  await run(npm, ['run', 'build:lib'], { cwd: root, maxBuffer: 32 << 20 })
  const { stdout } = await run(npm, ['pack', '--ignore-scripts', '--pack-destination', scratch, '--json'], { cwd: root, maxBuffer: 32 << 20 })
  const [{ filename }] = JSON.parse(stdout) as [{ filename: string }]
  writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'kanban', private: true, type: 'module' }))
  writeFileSync(
    join(scratch, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'ESNext',
        moduleResolution: 'bundler',
        lib: ['ES2023', 'DOM'],
        jsx: 'react-jsx',
        strict: true,
        noUncheckedIndexedAccess: true,
        skipLibCheck: false,
        types: [],
        outDir: 'out',
      },
      files: ['main.tsx'],
    }),
  )
  const guide = readFileSync(join(root, 'docs/guides/getting-started.md'), 'utf8')
  writeFileSync(join(scratch, 'main.tsx'), codeBlocks(guide).map((block) => block.code).join('\n'))
  // What the package leaves to its user: Dexie and React as peers; fake-indexeddb stands in for a browser.
  const peers = ['dexie@^4', 'react@^19', '@types/react@^19', 'fake-indexeddb@^6']
  await run(npm, ['install', '--no-audit', '--no-fund', '--prefer-offline', join(scratch, filename), ...peers], { cwd: scratch })
}, 240_000)

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true })
})

describe('the packed library, installed into another project', () => {
  it('type-checks the getting-started Kanban board against the published declarations', async () => {
    const tsc = join(root, 'node_modules/typescript/bin/tsc')
    const result = await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: scratch }).then(
      () => '',
      (failure: { stdout: string }) => failure.stdout,
    )
    expect(result).toBe('')
  }, 120_000)

  it('runs it: commands, a projection that follows another tab, a refused concurrent write and given/when/then', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'fake-indexeddb/auto', 'out/main.js'], { cwd: scratch })
    const card = (id: string, title: string) => ({ id, title })
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual({
      columns: { todo: [card('c3', 'Follow another tab')], doing: [card('c1', 'Write the guide'), card('c2', 'Pack the library')], done: [] },
      conflict: 'WrongExpectedVersionError',
      version: 3,
      moved: ['doing', 'doing'],
    })
  }, 60_000)
})
