// The library as a package (npm run build:lib): one ES module per entry in package/dist, beside
// the package's own manifest (package/package.json) and README. Dexie, React and the server's
// packages (Hono, its Node adapter, zod, PGlite, node-postgres) are left to the app that installs
// it (peer dependencies, the server's optional: only kiroku-es/server imports them, and each
// database adapter only when it is opened). Node's own modules stay imports. The types come from
// tsconfig.lib.json.
import { cpSync, existsSync } from 'node:fs'
import { defineConfig } from 'vite'

const entries: Record<string, string> = {
  kiroku: 'src/eventstore/index.ts',
  testing: 'src/eventstore/testing/index.ts',
  worker: 'src/eventstore/worker/index.ts',
  react: 'src/react/index.ts',
  sync: 'src/sync/index.ts',
  'sync-testing': 'src/sync/testing/index.ts',
  server: 'src/server/index.ts',
}

export default defineConfig({
  // Not the app's config: no PWA, no service worker, nothing of the shop.
  publicDir: false,
  build: {
    outDir: 'package/dist',
    emptyOutDir: false,
    sourcemap: true,
    minify: false,
    target: 'es2022',
    lib: {
      entry: Object.fromEntries(Object.entries(entries).filter(([, file]) => existsSync(file))),
      formats: ['es'],
      fileName: (_format, name) => `${name}.js`,
    },
    rollupOptions: {
      external: [/^dexie(\/|$)/, /^react(\/|$)/, /^react-dom(\/|$)/, /^hono(\/|$)/, /^@hono\/node-server(\/|$)/, /^@electric-sql\/pglite(\/|$)/, /^pg(\/|$)/, /^zod(\/|$)/, /^node:/],
      // Code the entries share (the store itself) lands in one chunk, named for what it is.
      output: { chunkFileNames: 'shared-[hash].js' },
    },
  },
  plugins: [
    {
      // The server reads its migrations from the folder beside its module at start.
      name: 'kiroku-server-migrations',
      writeBundle() {
        cpSync('src/server/db/migrations', 'package/dist/migrations', { recursive: true })
      },
    },
  ],
})
