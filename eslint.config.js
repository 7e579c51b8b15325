// Lint: TypeScript's recommended rules plus the import rules of docs/ARCHITECTURE.md: who may import
// whom, between the app's folders and between the library's role folders, and no import circles.
import importX from 'eslint-plugin-import-x'
import tseslint from 'typescript-eslint'

/** `patterns` are gitignore-style (a folder and all below it); `exact` are package names matched exactly. */
const restrict = (files, patterns, message, exact = [], options = {}) => ({
  files,
  rules: {
    'no-restricted-imports': ['error', { patterns: [{ group: patterns, message, ...options }], paths: exact.map((name) => ({ name, message })) }],
  },
})

const everythingBut = (...allowed) =>
  ['eventstore', 'domain', 'projections', 'sync', 'server', 'worker', 'ui', 'devtools', 'pwa', 'main']
    .filter((room) => !allowed.includes(`src/${room}`))
    .flatMap((room) => [`**/${room}`, `**/${room}/**`, `**/${room}.ts`, `**/${room}.tsx`])

// The library's role folders, each reached only through its index.ts, and what each may use.
// The order is the layering: a folder uses only folders listed before it, so no circle can form.
const LIBRARY = {
  events: [],
  aggregates: ['events'],
  rules: ['events', 'aggregates'],
  pubsub: ['events'],
  testing: ['events', 'aggregates'],
  storage: ['events', 'aggregates'],
  client: ['events', 'aggregates', 'pubsub', 'storage'],
  projections: ['events', 'storage', 'client'],
  io: ['events', 'storage', 'client'],
  worker: ['events', 'client', 'projections'],
}
/** Parts that must load anywhere (the sync server's Node too): no browser storage. */
const STORAGE_FREE = ['events', 'aggregates', 'rules', 'pubsub', 'testing']

const libraryRules = Object.entries(LIBRARY).map(([folder, uses]) => {
  const others = Object.keys(LIBRARY).filter((other) => other !== folder && !uses.includes(other))
  return restrict(
    [`src/eventstore/${folder}/**`],
    [
      ...others.flatMap((other) => [`../${other}`, `../${other}/**`]),
      // Another folder only through its index; never the library's root index or beyond it.
      '../*/*',
      '../../*',
      // A standalone library: no React, no zustand, no app code.
      ...['react', 'react-dom', 'react/*', 'zustand', 'zustand/*', 'workbox-window'],
      ...(STORAGE_FREE.includes(folder) ? ['dexie', 'dexie/*'] : []),
    ],
    `src/eventstore/${folder} may use ${uses.length ? uses.map((u) => `${u}/ (through its index)`).join(', ') : 'no other role folder'}` +
      `, errors.ts${STORAGE_FREE.includes(folder) ? ' and nothing that touches IndexedDB or Dexie' : ' and dexie'}: see docs/ARCHITECTURE.md.`,
    // The library's own root index: what it exports is for the library's users.
    ['..', '../index'],
  )
})

export default tseslint.config(
  { ignores: ['dist/**', 'package/dist/**', 'dist-docs/**', 'dev-dist/**', 'node_modules/**', 'bench/results/**', 'bench/profile/**', 'test/e2e/screenshots/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // No import circles anywhere in the app or the library (type-only imports included).
    files: ['src/**/*.{ts,tsx}'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver': { node: { extensions: ['.ts', '.tsx', '.js', '.mjs'] } },
      // Without a parser for .ts files the rule would see no imports in them, and no circle.
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
      'import-x/extensions': ['.ts', '.tsx', '.js', '.mjs'],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  restrict(
    ['src/eventstore/*.ts'],
    ['../*', 'react', 'react-dom', 'react/*', 'zustand', 'zustand/*', 'workbox-window'],
    'src/eventstore is a standalone library: it may import only dexie.',
  ),
  ...libraryRules,
  {
    // The domain runs on the server too: of the library, only the parts that load anywhere, each
    // through its index, and the client as a type only (erased at run time).
    files: ['src/domain/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: everythingBut('src/eventstore', 'src/domain'),
              message: 'src/domain holds pure business rules on top of src/eventstore.',
            },
            {
              // The library's root (it loads the browser store), a folder's files past its index, and
              // the folders that need IndexedDB.
              regex: String.raw`eventstore(/index)?$|eventstore/[^/]+/.|eventstore/(pubsub|storage|projections|io|worker|testing)$`,
              message: 'src/domain may use src/eventstore/events, aggregates, rules and errors (each through its index), so it loads in Node without a browser storage.',
            },
            { regex: 'eventstore/client$', allowTypeImports: true, message: 'src/domain may use the store client as a type only.' },
          ],
          paths: ['react', 'react-dom', 'zustand', 'dexie', 'workbox-window'].map((name) => ({ name, message: 'src/domain holds pure business rules.' })),
        },
      ],
    },
  },
  restrict(
    ['src/projections/**'],
    [...everythingBut('src/eventstore', 'src/domain', 'src/projections'), 'react', 'react-dom', 'workbox-window'],
    'src/projections may use src/eventstore, src/domain and zustand/vanilla only.',
    ['zustand'],
  ),
  restrict(
    ['src/worker/**'],
    [...everythingBut('src/eventstore', 'src/domain', 'src/projections', 'src/sync', 'src/worker'), 'react', 'react-dom', 'zustand', 'zustand/*', 'workbox-window'],
    'src/worker may use src/eventstore, src/domain, src/projections and src/sync only.',
  ),
  restrict(
    ['src/sync/**'],
    [...everythingBut('src/eventstore', 'src/sync'), 'react', 'react-dom', 'zustand', 'zustand/*', 'workbox-window'],
    'src/sync (the browser side of sync, part of the library) may use src/eventstore only.',
  ),
  // The library's sync server (kiroku-es/server): the store's parts that load anywhere (never its
  // root index, which loads the browser store and Dexie), sync's protocol, server packages; never
  // an app's code. Relative paths by depth: src/server has a projections folder of its own.
  ...[
    ['src/server/*.ts', '\\.\\./'],
    ['src/server/*/**', '\\.\\./\\.\\./'],
  ].map(([files, up]) => ({
    files: [files],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['react', 'react-dom', 'react/*', 'zustand', 'zustand/*', 'dexie', 'dexie/*', 'workbox-window'], message: 'src/server runs in Node: no browser packages.' },
            {
              regex: `^${up}(domain|projections|worker|ui|devtools|pwa|main|react)(/|$)`,
              message: "src/server (the library's sync server) may use src/eventstore, src/sync and server packages; never an app's code (src/domain).",
            },
            {
              regex: `^${up}eventstore(/index)?$|^${up}eventstore/(client|pubsub|storage|projections|io|worker|testing)(/|$)`,
              message: 'src/server may use the parts of src/eventstore that load anywhere (events, aggregates, rules, errors), so it runs in Node without Dexie.',
            },
          ],
        },
      ],
    },
  })),
  restrict(
    ['src/devtools/**'],
    [...everythingBut('src/eventstore', 'src/sync', 'src/devtools'), 'zustand', 'zustand/*', 'workbox-window'],
    'src/devtools may use src/eventstore, src/sync and react only: any Kiroku app can mount it.',
  ),
  {
    // The library's React binding: the library through its root index, and React; nothing of the app.
    files: ['src/react/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [...everythingBut('src/eventstore', 'src/react'), 'zustand', 'zustand/*', 'dexie', 'dexie/*', 'workbox-window'],
              message: 'src/react may use src/eventstore (through its index) and react only: it is published as kiroku/react.',
            },
            {
              regex: String.raw`eventstore/.`,
              message: 'src/react reaches the library through its root index only (src/eventstore), as a user of kiroku would.',
            },
          ],
        },
      ],
    },
  },
  restrict(
    ['server/**'],
    [
      // The app's folders, named from src/ (server/ has folders of its own, such as projections).
      ...['projections', 'worker', 'ui', 'devtools', 'pwa', 'react', 'main'].flatMap((room) => [`**/src/${room}`, `**/src/${room}/**`, `**/src/${room}.ts`, `**/src/${room}.tsx`]),
      'react',
      'react-dom',
      'react/*',
      'zustand',
      'zustand/*',
      'dexie',
      'dexie/*',
      'workbox-window',
    ],
    'server/ (the shop\'s sync server, Node) may use src/server, src/domain and src/eventstore (nothing that opens IndexedDB at run time) and server packages.',
  ),
  restrict(
    ['src/pwa/**'],
    [...everythingBut('src/pwa'), 'react', 'react-dom', 'zustand', 'zustand/*', 'dexie'],
    'src/pwa uses browser APIs and workbox-window only.',
  ),
)
