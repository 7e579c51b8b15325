// Every TypeScript block in docs/guides/*.md is compiled, with the library's entries under the
// names a user imports them by ('kiroku-es', 'kiroku-es/testing', 'kiroku-es/worker', 'kiroku-es/react', 'kiroku-es/sync', 'kiroku-es/sync/testing', 'kiroku-es/server').
// The blocks of one guide are one program, in order: a later block may use what an earlier one
// declared. A block fenced as ```ts skip-check is shown but not compiled (a fragment).
import { readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'
import { codeBlocks as blocksOf, type CodeBlock } from '../support/markdown'

const root = resolve(__dirname, '../..')
const guides = join(root, 'docs/guides')

type Block = CodeBlock

interface Guide {
  file: string
  /** The module compiled for it: its blocks in order. */
  path: string
  text: string
  /** Where each block starts in that module (0-based line). */
  origin: Array<{ from: number; block: Block }>
}

function moduleOf(file: string, blocks: Block[]): Guide {
  let text = ''
  const origin: Guide['origin'] = []
  for (const block of blocks) {
    origin.push({ from: text.split('\n').length - 1, block })
    text += `${block.code}\n`
  }
  // The blocks are module code (top-level await, imports): make sure TypeScript treats them so.
  text += 'export {}\n'
  return { file, path: join(guides, `${file}.tsx`), text, origin }
}

const options: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  jsx: ts.JsxEmit.ReactJSX,
  lib: ['lib.es2023.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
  strict: true,
  noUncheckedIndexedAccess: true,
  skipLibCheck: true,
  noEmit: true,
  // The server's guides run in Node.
  types: ['node'],
  baseUrl: root,
  paths: {
    'kiroku-es': ['src/eventstore/index.ts'],
    'kiroku-es/testing': ['src/eventstore/testing/index.ts'],
    'kiroku-es/worker': ['src/eventstore/worker/index.ts'],
    'kiroku-es/react': ['src/react/index.ts'],
    'kiroku-es/sync': ['src/sync/index.ts'],
    'kiroku-es/sync/testing': ['src/sync/testing/index.ts'],
    'kiroku-es/server': ['src/server/index.ts'],
  },
}

/** One program for every guide (each its own module); each problem names the guide's line. */
function compile(all: Guide[]): Map<string, string[]> {
  const byPath = new Map(all.map((g) => [resolve(g.path), g]))
  const host = ts.createCompilerHost(options)
  const readFile = host.readFile.bind(host)
  host.readFile = (path) => byPath.get(resolve(path))?.text ?? readFile(path)
  const fileExists = host.fileExists.bind(host)
  host.fileExists = (path) => byPath.has(resolve(path)) || fileExists(path)
  const program = ts.createProgram([...byPath.keys()], options, host)
  const problems = new Map<string, string[]>()
  for (const guide of all) {
    const source = program.getSourceFile(resolve(guide.path))!
    problems.set(
      guide.file,
      ts.getPreEmitDiagnostics(program, source).map((d) => {
        const { line } = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : { line: 0 }
        const at = [...guide.origin].reverse().find((o) => o.from <= line)
        const guideLine = at ? at.block.line + (line - at.from) : 0
        return `docs/guides/${guide.file}.md:${guideLine}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`
      }),
    )
  }
  return problems
}

const all = readdirSync(guides)
  .filter((f) => f.endsWith('.md'))
  .map((f) => moduleOf(f.replace(/\.md$/, ''), blocksOf(readFileSync(join(guides, f), 'utf8'))))
  .filter((guide) => guide.origin.length > 0)

describe('the guides’ code', () => {
  let problems: Map<string, string[]> | undefined
  const problemsOf = (file: string) => (problems ??= compile(all)).get(file)

  it('has guides with code to check', () => {
    expect(all.length).toBeGreaterThan(0)
  })

  for (const guide of all) {
    it(`compiles every block of ${guide.file}.md (${guide.origin.length})`, () => {
      expect(problemsOf(guide.file)).toEqual([])
    }, 120_000)
  }
})
