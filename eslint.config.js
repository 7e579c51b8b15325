// Lint: TypeScript's recommended rules plus the import rules of docs/ARCHITECTURE.md (who may import whom), so a
// folder cannot reach what it must not (the library stays free of React and the app).
import tseslint from 'typescript-eslint'

/** `patterns` are gitignore-style (a folder and all below it); `exact` are package names matched exactly. */
const restrict = (files, patterns, message, exact = []) => ({
  files,
  rules: {
    'no-restricted-imports': ['error', { patterns: [{ group: patterns, message }], paths: exact.map((name) => ({ name, message })) }],
  },
})

const everythingBut = (...allowed) =>
  ['eventstore', 'domain', 'projections', 'worker', 'ui', 'devtools', 'pwa', 'main']
    .filter((room) => !allowed.includes(`src/${room}`))
    .flatMap((room) => [`**/${room}`, `**/${room}/**`, `**/${room}.ts`, `**/${room}.tsx`])

export default tseslint.config(
  { ignores: ['dist/**', 'dev-dist/**', 'node_modules/**', 'bench/results/**', 'bench/profile/**', 'test/e2e/screenshots/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  restrict(
    ['src/eventstore/**'],
    [...everythingBut('src/eventstore'), 'react', 'react-dom', 'react/*', 'zustand', 'zustand/*', 'workbox-window'],
    'src/eventstore is a standalone library: it may import only dexie.',
  ),
  restrict(
    ['src/domain/**'],
    [...everythingBut('src/eventstore', 'src/domain'), 'react', 'react-dom', 'zustand', 'zustand/*', 'dexie', 'workbox-window'],
    'src/domain holds pure business rules on top of src/eventstore.',
  ),
  restrict(
    ['src/projections/**'],
    [...everythingBut('src/eventstore', 'src/domain', 'src/projections'), 'react', 'react-dom', 'workbox-window'],
    'src/projections may use src/eventstore, src/domain and zustand/vanilla only.',
    ['zustand'],
  ),
  restrict(
    ['src/worker/**'],
    [...everythingBut('src/eventstore', 'src/domain', 'src/projections', 'src/worker'), 'react', 'react-dom', 'zustand', 'zustand/*', 'workbox-window'],
    'src/worker may use src/eventstore, src/domain and src/projections only.',
  ),
  restrict(
    ['src/devtools/**'],
    [...everythingBut('src/eventstore', 'src/devtools'), 'zustand', 'zustand/*', 'workbox-window'],
    'src/devtools may use src/eventstore and react only: any Kiroku app can mount it.',
  ),
  restrict(
    ['src/pwa/**'],
    [...everythingBut('src/pwa'), 'react', 'react-dom', 'zustand', 'zustand/*', 'dexie'],
    'src/pwa uses browser APIs and workbox-window only.',
  ),
)
