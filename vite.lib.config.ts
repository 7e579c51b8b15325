// The library as a package (npm run build:lib): one ES module per entry in dist-lib (apart from the
// app's dist/, which the app's build empties), with Dexie and
// React left to the app that installs it (peer dependencies). The types come from tsconfig.lib.json.
import { existsSync } from 'node:fs'
import { defineConfig } from 'vite'

const entries: Record<string, string> = {
  kiroku: 'src/eventstore/index.ts',
  testing: 'src/eventstore/testing/index.ts',
  worker: 'src/eventstore/worker/index.ts',
  react: 'src/react/index.ts',
  sync: 'src/sync/index.ts',
}

export default defineConfig({
  // Not the app's config: no PWA, no service worker, nothing of the shop.
  publicDir: false,
  build: {
    outDir: 'dist-lib',
    emptyOutDir: false,
    sourcemap: true,
    minify: false,
    lib: {
      entry: Object.fromEntries(Object.entries(entries).filter(([, file]) => existsSync(file))),
      formats: ['es'],
      fileName: (_format, name) => `${name}.js`,
    },
    rollupOptions: {
      external: [/^dexie(\/|$)/, /^react(\/|$)/, /^react-dom(\/|$)/],
      // Code the entries share (the store itself) lands in one chunk, named for what it is.
      output: { chunkFileNames: 'shared-[hash].js' },
    },
  },
})
