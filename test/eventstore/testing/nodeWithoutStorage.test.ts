// The testing entry loads in plain Node with no IndexedDB and with Dexie forbidden, so domain
// tests (and the sync server's) need no browser storage. Node only: it starts a child process.
import { describe, expect, it } from 'vitest'

const inNode = typeof window === 'undefined'

describe('the testing entry in Node, without a browser storage', () => {
  it.skipIf(!inNode)('loads and runs given/when/then and givenEvents', async () => {
    // Imported by a name the browser build does not follow: this file also loads in Chromium.
    const childProcess = 'node:child_process'
    const { execFileSync } = (await import(/* @vite-ignore */ childProcess)) as typeof import('node:child_process')
    const body = `
      const { given, givenEvents, ScenarioFailedError } = await import('./src/eventstore/testing/index.ts')
      const { defineDecider } = await import('./src/eventstore/aggregates/index.ts')
      const { defineEvent } = await import('./src/eventstore/events/index.ts')
      const Added = defineEvent('N.Added')
      const counter = defineDecider({ name: 'N', initialState: () => 0, evolve: (n, e) => n + e.data, decide: (by) => [Added(by)] })
      const state = given(counter, [Added(1)]).when(2).thenEmits([Added(2)])
      let name = null
      try { givenEvents([Added(1)]).whenProjected(counter).thenState(5) } catch (error) { name = error instanceof ScenarioFailedError && error.name }
      console.log(JSON.stringify({ indexedDB: typeof indexedDB, state, name }))
    `
    const stdout = execFileSync(process.execPath, ['--import', 'tsx', '--import', './test/support/forbid-dexie.mjs', '--input-type=module', '-e', body], {
      cwd: process.cwd(),
      env: { ...process.env, NODE_OPTIONS: '' },
      encoding: 'utf8',
    })
    expect(JSON.parse(stdout)).toEqual({ indexedDB: 'undefined', state: 3, name: 'AssertionError' })
  })
})
