// The library as another project gets it: the package built and packed from package/ (its own
// manifest: kiroku-es), installed from the tarball into a scratch project with the peers a user
// installs, then two guides' code run there, type-checked against the package's own declarations:
// the getting-started Kanban board (its code blocks as one module, in Node on fake-indexeddb; the
// React view is only defined there, not rendered), and the sync guide's blocks that run in Node:
// the board's rules, a sync server on in-memory PGlite started in-process over HTTP, and two
// SyncEngines of one user, offline, editing the same card, rebasing by the board's own rules.
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
let manifest: { name: string; private?: boolean; scripts?: unknown; dependencies?: Record<string, string>; peerDependencies?: Record<string, string> }

/** A guide's code blocks that run in Node, as one module. */
const nodeModuleOf = (guide: string) =>
  codeBlocks(readFileSync(join(root, 'docs/guides', guide), 'utf8'))
    .filter((block) => !block.browserOnly)
    .map((block) => block.code)
    .join('\n')

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'kiroku-pack-'))
  // Built first, then packed without scripts, so npm pack prints nothing but its JSON.
  await run(npm, ['run', 'build:lib'], { cwd: root, maxBuffer: 32 << 20 })
  const { stdout } = await run(npm, ['pack', './package', '--ignore-scripts', '--pack-destination', scratch, '--json'], { cwd: root, maxBuffer: 32 << 20 })
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
        types: ['node'],
        outDir: 'out',
      },
      files: ['main.tsx', 'two-devices.ts'],
    }),
  )
  writeFileSync(join(scratch, 'main.tsx'), nodeModuleOf('getting-started.md'))
  writeFileSync(join(scratch, 'two-devices.ts'), nodeModuleOf('sync.md'))
  // What the package leaves to its user: Dexie and React as peers, and the server's packages (PGlite
  // only: a server on PGlite needs no pg); fake-indexeddb stands in for a browser.
  const peers = ['dexie@^4', 'react@^19', '@types/react@^19', '@types/node@^20', 'fake-indexeddb@^6', 'hono@^4', '@hono/node-server@^2', 'zod@^4', '@electric-sql/pglite@^0.5']
  await run(npm, ['install', '--no-audit', '--no-fund', '--prefer-offline', join(scratch, filename), ...peers], { cwd: scratch })
  manifest = JSON.parse(readFileSync(join(scratch, 'node_modules/kiroku-es/package.json'), 'utf8'))
}, 300_000)

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true })
})

describe('the packed library, installed into another project', () => {
  it('is the library’s package: its own name, public, no app scripts, the server’s packages as optional peers', () => {
    expect(manifest).toMatchObject({ name: 'kiroku-es' })
    expect(manifest.private).toBeUndefined()
    expect(manifest.scripts).toBeUndefined()
    expect(manifest.dependencies).toBeUndefined()
    expect(Object.keys(manifest.peerDependencies ?? {}).sort()).toEqual(['@electric-sql/pglite', '@hono/node-server', 'dexie', 'hono', 'pg', 'react', 'zod'])
  })

  it('type-checks the getting-started board and the sync guide’s two devices against the published declarations', async () => {
    const tsc = join(root, 'node_modules/typescript/bin/tsc')
    const result = await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: scratch }).then(
      () => '',
      (failure: { stdout: string }) => failure.stdout,
    )
    expect(result).toBe('')
  }, 120_000)

  it('runs the board: commands, a projection that follows another tab, a refused concurrent write and given/when/then', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'fake-indexeddb/auto', 'out/main.js'], { cwd: scratch })
    const card = (id: string, title: string) => ({ id, title })
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual({
      columns: { todo: [card('c3', 'Follow another tab')], doing: [card('c1', 'Write the guide'), card('c2', 'Pack the library')], done: [] },
      conflict: 'WrongExpectedVersionError',
      version: 3,
      moved: ['doing', 'doing'],
    })
  }, 60_000)

  it('syncs two devices through the packed server: offline edits of one card, a rebase by the board’s rules, a dropped move reported, the same board on both', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'fake-indexeddb/auto', 'out/two-devices.js'], { cwd: scratch, timeout: 120_000 })
    const lines = stdout.trim().split('\n')
    expect(lines).toContain('offline 2')
    const outcome = JSON.parse(lines.find((line) => line.startsWith('{"laptop"'))!)
    const board = { c1: 'done', c2: 'todo', c3: 'todo' }
    expect(outcome).toEqual({
      laptop: board,
      phone: board,
      dropped: ['dropped Board.CardMoved: Card c1 is done: it does not move any more.'],
      pending: [0, 0],
    })
    expect(lines.at(-1)).toBe('offline 1')
  }, 150_000)
})
